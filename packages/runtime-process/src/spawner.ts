import { type ChildProcess, fork } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withStartUmask } from '@berth/host';
import type { ExitInfo } from './child-registry.js';

/** One program to start detached, in a session of its own, its output appended to two files. */
export interface SpawnRequest {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdout: string;
  stderr: string;
}

export interface HelperRequest extends SpawnRequest {
  id: number;
}

export type HelperReply =
  | { id: number; pid: number }
  | { id: number; error: { code?: string; message: string; file?: string } }
  | { exited: number; code: number | null; signal: NodeJS.Signals | null };

export interface Spawned {
  pid: number;
  /** Its exit; undefined when the helper ended first, so the exit can no longer be known. */
  exited: Promise<ExitInfo | undefined>;
}

/**
 * A program that could not be started; `code` is the system's (ENOENT, EACCES, …) when known,
 * `file` the log file that could not be opened when that was the cause.
 */
export class SpawnFailed extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

function exitInfo(code: number | null, signal: NodeJS.Signals | null): ExitInfo {
  return { code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), signal };
}

/** spawn-helper.js beside this module; from the sources (tests), the built one in dist/. */
function helperEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = here.endsWith('.ts') ? join(dirname(here), '..', 'dist') : dirname(here);
  return join(dir, 'spawn-helper.js');
}

/**
 * Starts workloads through one long-lived helper process (spawn-helper.ts), started on the first
 * spawn and again after it ends. A spawn forks the caller and waits until the child has exec'd:
 * in the server, with 20 node programs starting on two cores, each held the server's loop ~30 ms,
 * ~0.6 s of a 20-start burst in which the server could do nothing else. The helper is small, so
 * its forks are cheap, and its waits hold only its own loop. It gets each workload's exit and
 * passes it on; if it ends first, those exits resolve undefined (the caller then looks in /proc,
 * as for a process found after a restart). It does not keep berth's process alive.
 */
export class Spawner {
  private helper: ChildProcess | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: Spawned) => void; reject: (e: Error) => void }>();
  private readonly running = new Map<number, (exit: ExitInfo | undefined) => void>();

  spawn(req: SpawnRequest): Promise<Spawned> {
    const helper = this.helper ?? this.startHelper();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      helper.channel?.ref();
      const request: HelperRequest = { ...req, id };
      helper.send(request, (err) => {
        if (err)
          this.settle(id, (w) => w.reject(new SpawnFailed(`the spawn helper is gone: ${err.message}`)));
      });
    });
  }

  private startHelper(): ChildProcess {
    // The helper, and so every workload, gets the umask berth was started with, not berth's 077.
    const helper = withStartUmask(() =>
      fork(helperEntry(), [], {
        execArgv: [],
        // Nothing of berth's environment (NODE_OPTIONS would load into the helper): each workload's
        // environment comes with its request, and its PATH finds the command.
        env: {},
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      }),
    );
    helper.on('message', (m: HelperReply) => this.onReply(m));
    helper.on('error', (err) => this.lost(helper, err.message));
    helper.once('exit', (code, signal) => this.lost(helper, `it exited (${code ?? signal})`));
    helper.unref();
    helper.channel?.unref();
    this.helper = helper;
    return helper;
  }

  private onReply(m: HelperReply): void {
    if ('exited' in m) {
      const done = this.running.get(m.exited);
      this.running.delete(m.exited);
      done?.(exitInfo(m.code, m.signal));
    } else if ('error' in m) {
      this.settle(m.id, (w) => w.reject(new SpawnFailed(m.error.message, m.error.code, m.error.file)));
    } else {
      // Registered before the promise settles: the exit comes in a later message.
      const exited = new Promise<ExitInfo | undefined>((r) => this.running.set(m.pid, r));
      this.settle(m.id, (w) => w.resolve({ pid: m.pid, exited }));
    }
  }

  private settle(id: number, fn: (w: { resolve: (s: Spawned) => void; reject: (e: Error) => void }) => void) {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.helper?.channel?.unref();
    fn(w);
  }

  private lost(helper: ChildProcess, why: string): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    for (const id of [...this.waiting.keys()]) {
      this.settle(id, (w) => w.reject(new SpawnFailed(`the spawn helper ended: ${why}`)));
    }
    for (const done of this.running.values()) done(undefined);
    this.running.clear();
  }
}
