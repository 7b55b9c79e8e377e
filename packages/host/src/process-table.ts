import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { mapInSlices } from './map-in-slices.js';
import { type ProcStat, readProcStatSync, readProcTextSync } from './proc-stat.js';

let inflight: Promise<ProcStat[]> | undefined;

/**
 * Every process visible in /proc, read in one pass. Concurrent callers (say, 100 stops polling
 * at once) share one pass.
 */
export function readProcessTable(): Promise<ProcStat[]> {
  inflight ??= scan().finally(() => {
    inflight = undefined;
  });
  return inflight;
}

async function scan(): Promise<ProcStat[]> {
  const names = (await readdir('/proc')).filter(isPidName);
  const stats = await mapInSlices(names, (n) => readProcStatSync(Number(n)));
  return stats.filter((s): s is ProcStat => s !== undefined);
}

const isPidName = (name: string) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57;

/** The root and every descendant of it (by parent pid), from one table. The root comes first. */
export function descendantsOf(rootPid: number, table: ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of table) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const root = table.find((s) => s.pid === rootPid);
  if (!root) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i]!.pid) ?? []) out.push(child);
  }
  return out;
}

/** The process tree under `rootPid` (root first), read from /proc in one pass. */
export async function processTree(rootPid: number): Promise<ProcStat[]> {
  return descendantsOf(rootPid, await readProcessTable());
}

/**
 * The pids of a process's children, from /proc/<pid>/task/<tid>/children of each of its threads
 * (a child belongs to the thread that forked it): a few small reads instead of the whole table.
 * Undefined when the kernel has no such file (built without CONFIG_PROC_CHILDREN) or the process
 * is gone; the caller then falls back to `readProcessTable`. With `numThreads` 1 the task folder is
 * not listed (a process that started a thread since is read in full at the next pass).
 */
export function childPidsSync(pid: number, numThreads?: number): number[] | undefined {
  let tids: string[];
  try {
    // One thread (most workloads, `ProcStat.numThreads`): its only thread is itself, no listing.
    tids = numThreads === 1 ? [String(pid)] : readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readProcTextSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      // Another thread may have ended since the listing (its children were handed on); the main
      // thread's file missing means no such file on this kernel, or the process is gone.
      if (tid !== String(pid)) continue;
      return undefined;
    }
    for (const n of text.split(' ')) if (n) out.push(Number(n));
  }
  return out;
}
