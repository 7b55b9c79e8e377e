import { readdir } from 'node:fs/promises';
import { mapInBatches } from './map-in-batches.js';
import { type ProcStat, readProcStatSync } from './proc-stat.js';

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
  const stats = await mapInBatches(names, (n) => readProcStatSync(Number(n)));
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
