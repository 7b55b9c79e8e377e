import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, statfs, truncate } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { type Logger, silentLogger } from '@berth/core';
import { advanceIndexBase } from './log-index.js';
import type { LogRotation, LogRotationFeed } from './log-rotation-feed.js';
import { LOG_STREAMS, type LogStream, logFilePath } from './log-streams.js';
import { PRIVATE_FILE } from './private-files.js';

const run = promisify(execFile);

export interface LogRotationPolicy {
  /** A live file over this size is rotated. */
  maxBytes: number;
  /** Rotated files kept: `<file>.1` (newest) … `<file>.<keep>`. */
  keep: number;
}

export const defaultLogRotationPolicy: LogRotationPolicy = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/**
 * Size-based rotation of log files that a process keeps writing with O_APPEND and cannot be told
 * to reopen. Losslessly: the first K bytes (K a multiple of the filesystem block, K ≤ size) are
 * copied to `<file>.1` (after shifting .1→.2…), then removed from the head of the live file with
 * `fallocate --collapse-range`; whatever the process appends meanwhile stays. Where collapse-range
 * is not supported (tmpfs, overlayfs) it falls back to copy-then-truncate, which loses the lines
 * written between the last copy and the truncate (a window of a few milliseconds).
 * Followers sharing the rotation feed are told while the file's lock is held.
 */
export class LogRotator {
  private readonly log: Logger;

  constructor(
    private readonly feed: LogRotationFeed,
    readonly policy: LogRotationPolicy = defaultLogRotationPolicy,
    log: Logger = silentLogger,
  ) {
    if (!(policy.maxBytes > 0) || !Number.isInteger(policy.keep) || policy.keep < 1) {
      throw new RangeError('log rotation needs maxBytes > 0 and keep ≥ 1');
    }
    this.log = log.child({ ns: 'logs' });
  }

  /** Rotates both streams of a log directory when they are over the size; returns what was done. */
  async rotateDir(logDir: string): Promise<LogRotation[]> {
    const done = await Promise.all(LOG_STREAMS.map((s) => this.rotateIfNeeded(logFilePath(logDir, s))));
    return done.filter((r) => r !== undefined);
  }

  /** Rotates the file when it is over `maxBytes`. */
  rotateIfNeeded(path: string): Promise<LogRotation | undefined> {
    return this.feed.withLock(path, async () => {
      const size = await sizeOf(path);
      if (size <= this.policy.maxBytes) return undefined;
      const { bsize } = await statfs(path);
      const moved = Math.floor(size / bsize) * bsize;
      if (moved === 0) return undefined;
      const rotatedPath = `${path}.1`;
      await this.shift(path);
      await copyRange(path, rotatedPath, 0, moved, 'w');
      const rotation = await this.shorten(path, rotatedPath, moved);
      const stream = streamOfPath(path);
      if (stream) await advanceIndexBase(dirname(path), stream, rotation.movedBytes);
      await this.feed.announce(rotation);
      this.log.debug({ file: path, moved: rotation.movedBytes, mode: rotation.mode }, 'Rotated a log file');
      return rotation;
    });
  }

  /** `<file>.keep-1` → `<file>.keep`, …, `<file>.1` → `<file>.2` (the oldest is overwritten). */
  private async shift(path: string): Promise<void> {
    for (let i = this.policy.keep - 1; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }

  /** Removes the copied head of the live file; falls back to copy-then-truncate. */
  private async shorten(path: string, rotatedPath: string, moved: number): Promise<LogRotation> {
    try {
      await collapseHead(path, moved);
      return { path, rotatedPath, movedBytes: moved, mode: 'collapse' };
    } catch (err) {
      this.log.warn(
        { file: path, reason: reasonOf(err) },
        'collapse-range is not available; rotating by copy and truncate (may lose a few lines)',
      );
    }
    let copied = moved;
    for (let size = await sizeOf(path); size > copied; size = await sizeOf(path)) {
      await copyRange(path, rotatedPath, copied, size, 'a');
      copied = size;
    }
    await truncate(path, 0);
    return { path, rotatedPath, movedBytes: copied, mode: 'truncate' };
  }
}

/** `fallocate --collapse-range`: the first `length` bytes go, the rest moves to the front. */
export async function collapseHead(path: string, length: number): Promise<void> {
  await run('fallocate', ['--collapse-range', '--offset', '0', '--length', String(length), path], {
    timeout: 30_000,
  });
}

async function copyRange(from: string, to: string, start: number, end: number, flags: 'w' | 'a') {
  await pipeline(
    createReadStream(from, { start, end: end - 1 }),
    createWriteStream(to, { flags, mode: PRIVATE_FILE }),
  );
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function reasonOf(err: unknown): string {
  const e = err as { stderr?: string; code?: string; message?: string };
  return (e.stderr?.trim() || e.code || e.message || String(err)).toString();
}

/** `stdout` for `<dir>/stdout.log`: the stream whose index base a rotation moves. */
function streamOfPath(path: string): LogStream | undefined {
  return LOG_STREAMS.find((s) => basename(path) === `${s}.log`);
}
