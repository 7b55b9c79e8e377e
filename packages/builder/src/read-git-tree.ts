import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DiskRepoTree, ReadRepoTreeOptions } from './read-repo-tree.js';
import { skippedDir } from './read-repo-tree.js';

const run = promisify(execFile);

/** What a repository's own config could make git run is switched off: berth only reads objects. */
const SAFE = ['-c', 'core.fsmonitor=', '-c', 'core.hooksPath=/dev/null', '-c', 'protocol.ext.allow=never'];
/** Files read ahead: deep enough for a monorepo's `apps/<app>/src/main.ts`. */
const READ_DEPTH = 4;
const READ_TOTAL_BYTES = 32 * 1024 * 1024;

/**
 * A local git repository's committed tree (HEAD) for `detect`, read from its objects in place:
 * nothing is cloned or checked out. Symbolic links and submodules are left out, as `readRepoTree`
 * leaves links out; the small files detection may ask about are read ahead in one `git cat-file`.
 */
export interface GitRepoTree extends DiskRepoTree {
  /** Everything HEAD holds (files and links, at any depth), as an import would count it. */
  readonly size: { files: number; bytes: number };
}

export async function readGitTree(dir: string, options: ReadRepoTreeOptions = {}): Promise<GitRepoTree> {
  const maxFiles = options.maxFiles ?? 5000;
  const maxBytes = options.maxFileBytes ?? 256 * 1024;
  const maxDepth = options.maxDepth ?? 6;
  const listing = await git(dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', 'HEAD']);
  const entries: { path: string; oid: string; size: number }[] = [];
  const size = { files: 0, bytes: 0 };
  for (const record of listing.toString('utf8').split('\0')) {
    const all = /^1[02]0\d{3} blob [0-9a-f]+ +(\d+)\t/.exec(record);
    if (all) {
      size.files++;
      size.bytes += Number(all[1]);
    }
    const m = /^100(?:644|755) blob ([0-9a-f]{40,64}) +(\d+)\t(.+)$/s.exec(record);
    if (!m) continue;
    const path = m[3]!;
    const parts = path.split('/');
    if (parts.length - 1 > maxDepth || parts.slice(0, -1).some((p) => skippedDir(p))) continue;
    entries.push({ path, oid: m[1]!, size: Number(m[2]) });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  const kept = dropDotnetOutput(entries).slice(0, maxFiles);
  const texts = await readAhead(dir, kept, maxBytes);
  return {
    files: kept.map((e) => e.path),
    read: (path) => texts.get(path),
    truncated: kept.length < entries.length && kept.length === maxFiles,
    size,
  };
}

/** .NET's bin/ and obj/ beside a project file, as readRepoTree skips them. */
function dropDotnetOutput<T extends { path: string }>(entries: T[]): T[] {
  const projectDirs = new Set(
    entries
      .filter((e) => /\.(?:cs|fs|vb)proj$/.test(e.path))
      .map((e) => e.path.slice(0, e.path.lastIndexOf('/') + 1)),
  );
  if (projectDirs.size === 0) return entries;
  return entries.filter(
    (e) =>
      ![...projectDirs].some((d) => /^(?:bin|obj)\//.test(e.path.slice(d.length)) && e.path.startsWith(d)),
  );
}

async function readAhead(
  dir: string,
  entries: { path: string; oid: string; size: number }[],
  maxBytes: number,
): Promise<Map<string, string>> {
  const wanted: { path: string; oid: string; size: number }[] = [];
  let total = 0;
  for (const e of entries) {
    if (e.size > maxBytes || e.path.split('/').length - 1 > READ_DEPTH) continue;
    if (total + e.size > READ_TOTAL_BYTES) break;
    total += e.size;
    wanted.push(e);
  }
  const texts = new Map<string, string>();
  if (wanted.length === 0) return texts;
  const out = await git(dir, ['cat-file', '--batch'], wanted.map((e) => e.oid).join('\n') + '\n');
  let at = 0;
  for (const e of wanted) {
    const header = out.indexOf(0x0a, at);
    if (header < 0) break;
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(out.subarray(at, header).toString('latin1'));
    if (!m) break;
    const size = Number(m[1]);
    texts.set(e.path, out.subarray(header + 1, header + 1 + size).toString('utf8'));
    at = header + 1 + size + 1;
  }
  return texts;
}

async function git(dir: string, args: string[], input?: string): Promise<Buffer> {
  const child = run('git', [...SAFE, '-C', dir, ...args], {
    encoding: 'buffer',
    maxBuffer: READ_TOTAL_BYTES + 16 * 1024 * 1024,
    timeout: 30_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}
