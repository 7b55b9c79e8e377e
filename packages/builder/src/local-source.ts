import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInput, NotAllowed } from '@berth/core';
import { parseSource, type SourceRef } from './import-source.js';
import type { SourceLimits } from './measure-source.js';

/** What berth may read from this machine's disk when a build's source is a path or a file:// URL. */
export interface SourcePolicy extends SourceLimits {
  /** Directories under which local sources are allowed (none: every local path is refused). */
  allowPaths: readonly string[];
}

export const DEFAULT_SOURCE_POLICY: SourcePolicy = {
  allowPaths: [],
  maxBytes: 200 * 1024 * 1024,
  maxFiles: 20_000,
};

/** Never a source, whatever is allowed: the kernel's views of processes, devices and itself. */
const NEVER = ['/proc', '/sys', '/dev'];

/**
 * The source as berth will import it: a local path (or a file:// URL's path) resolved through its
 * symlinks and `..`, and allowed only when it is a directory under one of the policy's paths.
 * Throws NotAllowed (403) for a path outside them, InvalidInput (400) for one that is missing,
 * not a directory or not a path at all.
 */
export async function checkedSource(source: string, policy: SourcePolicy): Promise<SourceRef> {
  const ref = parseSource(source);
  if (ref.kind === 'path') return { kind: 'path', path: await allowedDirectory(ref.path, policy) };
  if (ref.url.startsWith('file:')) await allowedDirectory(filePath(ref.url), policy);
  return ref;
}

function filePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch (err) {
    throw invalid(`'${url}' is not a file URL of this machine`, err);
  }
}

async function allowedDirectory(path: string, policy: SourcePolicy): Promise<string> {
  if (/[\u0000-\u001f\u007f]/.test(path)) throw invalid('must not contain control characters');
  if (policy.allowPaths.length === 0) {
    throw new NotAllowed(
      `source: local paths are not allowed on this server; start it with --allow-path <dir> (or BERTH_ALLOW_PATHS=<dir>:<dir>) to allow the directories under <dir>`,
      { code: 'SOURCE_PATH_NOT_ALLOWED' },
    );
  }
  const real = await realpath(resolve(path)).catch((err: NodeJS.ErrnoException) => {
    throw invalid(
      err.code === 'ENOENT' || err.code === 'ENOTDIR'
        ? `'${path}' does not exist on the server`
        : `'${path}' cannot be read (${err.code ?? 'error'})`,
      err,
    );
  });
  if (NEVER.some((n) => inside(n, real) || inside(n, resolve(path))))
    throw new NotAllowed(`source: '${path}' is under ${NEVER.join(', ')}, which berth never imports`, {
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
  const roots = await Promise.all(policy.allowPaths.map((p) => realpath(resolve(p)).catch(() => undefined)));
  if (!roots.some((r) => r !== undefined && inside(r, real))) {
    throw new NotAllowed(
      `source: '${path}'${real === path ? '' : ` (${real})`} is not under an allowed path (${policy.allowPaths.join(', ')}); add its folder with --allow-path or BERTH_ALLOW_PATHS`,
      { code: 'SOURCE_PATH_NOT_ALLOWED' },
    );
  }
  const info = await stat(real).catch(() => undefined);
  if (!info?.isDirectory()) throw invalid(`'${path}' is not a directory`);
  return real;
}

/** Whether `path` is `root` or below it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function invalid(message: string, cause?: unknown): InvalidInput {
  return new InvalidInput(`source: ${message}`, {
    code: 'INVALID_SOURCE_PATH',
    cause,
    details: { field: 'source' },
  });
}
