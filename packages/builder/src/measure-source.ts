import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput } from '@berth/core';

/** Caps on what one import may copy or clone. */
export interface SourceLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface SourceSize {
  bytes: number;
  files: number;
  /** Fifos, sockets and devices: never copied. */
  special: string[];
}

/**
 * Counts what lies under `dir` without following symlinks, stopping as soon as a limit is passed
 * (InvalidInput naming the limit). `skipTop` names top-level entries left out (.git, node_modules).
 */
export async function measureSource(
  dir: string,
  limits: SourceLimits,
  what: string,
  skipTop: ReadonlySet<string> = new Set(),
): Promise<SourceSize> {
  const size: SourceSize = { bytes: 0, files: 0, special: [] };
  const tooLarge = (limit: string) => sourceTooLarge(what, limit);
  const walk = async (path: string, top: boolean): Promise<void> => {
    for await (const entry of await opendir(path)) {
      if (top && skipTop.has(entry.name)) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        await walk(full, false);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) {
        size.special.push(full);
        continue;
      }
      size.files++;
      if (entry.isFile()) size.bytes += (await lstat(full)).size;
      if (size.files > limits.maxFiles) throw tooLarge(`${limits.maxFiles} files`);
      if (size.bytes > limits.maxBytes) throw tooLarge(bytes(limits.maxBytes));
    }
  };
  await walk(dir, true);
  return size;
}

/** Throws SOURCE_TOO_LARGE when a source counted some other way (a git tree) passes a limit. */
export function checkSourceSize(
  what: string,
  size: { files: number; bytes: number },
  limits: SourceLimits,
): void {
  if (size.files > limits.maxFiles) throw sourceTooLarge(what, `${limits.maxFiles} files`);
  if (size.bytes > limits.maxBytes) throw sourceTooLarge(what, bytes(limits.maxBytes));
}

function sourceTooLarge(what: string, limit: string): InvalidInput {
  return new InvalidInput(
    `source: '${what}' holds more than ${limit}, the most berth imports (BERTH_IMPORT_MAX_MB, BERTH_IMPORT_MAX_FILES); nothing was kept`,
    { code: 'SOURCE_TOO_LARGE', details: { field: 'source' } },
  );
}

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${n} bytes`;
}
