import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { promisify } from 'node:util';
import { InvalidInput, type Logger, silentLogger } from '@berth/core';
import { measureSource, type SourceLimits } from './measure-source.js';

const run = promisify(execFile);

/** Where a repository comes from: a git URL, or a directory on this machine. */
export type SourceRef = { kind: 'git'; url: string } | { kind: 'path'; path: string };

const URL_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git:', 'file:']);
/** scp-like git addresses: `git@github.com:owner/repo.git`. */
const SCP_LIKE = /^[\w.-]{1,64}@[\w.-]{1,253}:[\w./~-]{1,500}$/;

/**
 * Accepts only git URLs git would fetch without running anything: http(s), ssh, git and file
 * URLs, and scp-like `user@host:path`. Nothing starting with `-` (it would be read as an option),
 * and no `ext::`-style transports that run commands.
 */
export function gitUrlProblem(url: string): string | null {
  if (typeof url !== 'string' || url.length === 0) return 'is empty';
  if (url.length > 2000) return 'is too long';
  if (url.startsWith('-')) return "must not start with '-'";
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'must not contain spaces or control characters';
  if (SCP_LIKE.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (http, https, ssh, git or file) nor user@host:path';
  }
  if (!URL_SCHEMES.has(parsed.protocol))
    return `uses ${parsed.protocol.replace(/:$/, '')}, not http, https, ssh, git or file`;
  if (parsed.protocol !== 'file:' && parsed.hostname.startsWith('-')) return "has a host starting with '-'";
  return null;
}

export function parseSource(input: string): SourceRef {
  if (isAbsolute(input) || input.startsWith('./') || input.startsWith('../'))
    return { kind: 'path', path: input };
  const problem = gitUrlProblem(input);
  if (problem)
    throw new InvalidInput(`git URL '${input}' ${problem}`, {
      code: 'INVALID_GIT_URL',
      details: { field: 'source' },
    });
  return { kind: 'git', url: input };
}

export interface ImportOptions {
  logger?: Logger;
  /** Abort the clone (default: none). */
  signal?: AbortSignal;
  /** Kill git after this long (default 120 s). */
  timeoutMs?: number;
  /** Refuse (keeping nothing) a source larger than this (default: no cap). */
  limits?: SourceLimits;
}

/**
 * Puts the source into `dir`, which must not exist or be empty: a shallow clone of a git URL
 * (`git clone --depth 1 -- <url> <dir>`, an argument array, never a shell), or a copy of a local
 * directory without its .git and node_modules. Says which commit a clone checked out.
 */
export async function importSource(
  source: SourceRef,
  dir: string,
  options: ImportOptions = {},
): Promise<{ commit: string | null }> {
  const log = (options.logger ?? silentLogger).child({ ns: 'build:import' });
  await ensureEmpty(dir);
  try {
    if (source.kind === 'git') {
      await cloneGit(source.url, dir, log, options);
      if (options.limits) await measureSource(dir, options.limits, source.url);
      return { commit: await headOf(dir) };
    }
    await copyLocal(source.path, dir, log, options.limits);
    return { commit: null };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function cloneGit(url: string, dir: string, log: Logger, options: ImportOptions): Promise<void> {
  const problem = gitUrlProblem(url);
  if (problem) throw new InvalidInput(`git URL '${url}' ${problem}`, { code: 'INVALID_GIT_URL' });
  log.info({ url }, 'Starting git clone…');
  try {
    await run(
      'git',
      ['-c', 'protocol.ext.allow=never', 'clone', '--depth', '1', '--no-tags', '--', url, dir],
      {
        timeout: options.timeoutMs ?? 120_000,
        signal: options.signal,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    log.warn({ url, err: stderr }, 'Failed to git clone');
    throw new InvalidInput(`git clone of '${url}' failed: ${stderr?.split('\n').at(-1) ?? 'unknown error'}`, {
      code: 'GIT_CLONE_FAILED',
      cause: err,
    });
  }
  log.info({ url }, 'Cloned');
}

/** The commit a clone has checked out, or null when git cannot say. */
async function headOf(dir: string): Promise<string | null> {
  const out = await run('git', ['-C', dir, 'rev-parse', 'HEAD'], { timeout: 10_000 }).catch(() => undefined);
  const sha = out?.stdout.trim() ?? '';
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

const NOT_COPIED = new Set(['.git', 'node_modules']);

/** Copies a local directory (without .git, node_modules, fifos, sockets and devices), counting it first against `limits`. */
async function copyLocal(path: string, dir: string, log: Logger, limits?: SourceLimits): Promise<void> {
  const from = resolve(path);
  const info = await stat(from).catch(() => undefined);
  if (!info?.isDirectory())
    throw new InvalidInput(`'${path}' is not a directory`, { code: 'INVALID_SOURCE_PATH' });
  const unlimited = { maxBytes: Number.POSITIVE_INFINITY, maxFiles: Number.POSITIVE_INFINITY };
  const special = new Set((await measureSource(from, limits ?? unlimited, path, NOT_COPIED)).special);
  log.info({ path: from }, 'Starting copy…');
  await cp(from, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) =>
      src === from ||
      (!NOT_COPIED.has(src.slice(from.length + 1).split(/[\\/]/)[0] ?? '') && !special.has(src)),
  });
  log.info({ path: from }, 'Copied');
}

async function ensureEmpty(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new InvalidInput(`import target '${dir}' is not empty`, { code: 'TARGET_NOT_EMPTY' });
  }
}
