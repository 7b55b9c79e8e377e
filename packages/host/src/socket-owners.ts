import { readdirSync, readlinkSync } from 'node:fs';
import { readProcTextSync } from './proc-stat.js';

export interface SocketOwner {
  pid: number;
  /** The process's name as /proc/<pid>/comm has it (what `ss -p` shows). */
  process: string | null;
}

/** Processes whose fds are read before the walk lets other work run. */
const PROCESSES_PER_SLICE = 64;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Which process holds each socket inode, found the way `ss -p` finds it: /proc/<pid>/fd links
 * read `socket:[inode]`. That walks every process's fds (~20 ms with 1,000 processes), so it is
 * asked only for the sockets that need an owner, and it stops as soon as all are found. Processes
 * berth may not look into (another user's, without root) are skipped: their sockets stay without
 * an owner. A socket shared by several processes (a forked server) gets the lowest pid.
 */
export async function findSocketOwners(
  inodes: Iterable<number>,
  procRoot = '/proc',
): Promise<Map<number, SocketOwner>> {
  const wanted = new Set([...inodes].filter((i) => i > 0));
  const found = new Map<number, SocketOwner>();
  if (wanted.size === 0) return found;
  const pids = readdirSync(procRoot)
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .sort((a, b) => a - b);
  for (let i = 0; i < pids.length && found.size < wanted.size; i++) {
    if (i > 0 && i % PROCESSES_PER_SLICE === 0) await yieldToLoop();
    const pid = pids[i]!;
    for (const inode of socketsOf(procRoot, pid)) {
      if (wanted.has(inode) && !found.has(inode)) found.set(inode, { pid, process: commOf(procRoot, pid) });
    }
  }
  return found;
}

/** Socket inodes among a process's fds; none when it is gone or not ours to read. */
function socketsOf(procRoot: string, pid: number): number[] {
  const dir = `${procRoot}/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`${dir}/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (link.startsWith('socket:[')) out.push(Number(link.slice(8, -1)));
  }
  return out;
}

function commOf(procRoot: string, pid: number): string | null {
  try {
    return readProcTextSync(`${procRoot}/${pid}/comm`, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
