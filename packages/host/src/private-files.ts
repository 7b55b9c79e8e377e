import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What berth writes under BERTH_HOME: readable and writable by the user running berth only. */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;
/** berth's own umask once the server starts: nothing it creates is readable by others. */
export const PRIVATE_UMASK = 0o077;

/** The umask berth was started with, before `restrictUmask` (undefined until then). */
let startUmask: number | undefined;

/**
 * Sets the process umask to 077 so every file berth (or SQLite, for `-wal`/`-shm`) creates is
 * 0600 and every folder 0700. Returns the umask it replaced; the first one is kept for workloads.
 */
export function restrictUmask(): number {
  const before = process.umask(PRIVATE_UMASK);
  startUmask ??= before;
  return before;
}

/**
 * Runs `fn` (a synchronous spawn) under the umask berth was started with, so a workload's own
 * files get the modes its user expects (they live in a 0700 instance folder either way).
 */
export function withStartUmask<T>(fn: () => T): T {
  if (startUmask === undefined) return fn();
  const before = process.umask(startUmask);
  try {
    return fn();
  } finally {
    process.umask(before);
  }
}

/**
 * Brings a home in line: BERTH_HOME 0700; every file directly in it (berth.db, -wal, -shm, the
 * `.bak` copies, admin.token, the key files) 0600; every folder directly in it 0700; the logs
 * tree 0700/0600; instance folders (`instances/<template>/<instance>`) 0700 — not what workloads
 * wrote inside them. Symbolic links are left alone. Returns the paths whose mode changed.
 */
export async function securePrivateHome(home: string): Promise<string[]> {
  await mkdir(home, { recursive: true, mode: PRIVATE_DIR });
  const changed: string[] = [];
  await setMode(home, PRIVATE_DIR, changed);
  for (const entry of await readdir(home, { withFileTypes: true })) {
    const path = join(home, entry.name);
    if (entry.isFile()) await setMode(path, PRIVATE_FILE, changed);
    else if (!entry.isDirectory()) continue;
    else if (entry.name === 'logs') await secureTree(path, Number.POSITIVE_INFINITY, changed);
    else if (entry.name === 'instances') await secureTree(path, 2, changed, false);
    else await setMode(path, PRIVATE_DIR, changed);
  }
  return changed;
}

/** `dir` and its folders `depth` levels down 0700; with `files`, every file met 0600. */
async function secureTree(dir: string, depth: number, changed: string[], files = true): Promise<void> {
  await setMode(dir, PRIVATE_DIR, changed);
  if (depth <= 0) return;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await secureTree(path, depth - 1, changed, files);
    else if (files && entry.isFile()) await setMode(path, PRIVATE_FILE, changed);
  }
}

async function setMode(path: string, mode: number, changed: string[]): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st || st.isSymbolicLink() || (st.mode & 0o777) === mode) return;
  await chmod(path, mode);
  changed.push(path);
}
