import { readdir } from 'node:fs/promises';
import { type ProcStat, readProcStat } from './proc-stat.js';

/** Every process visible in /proc, read in one pass. */
export async function readProcessTable(): Promise<ProcStat[]> {
  const names = await readdir('/proc');
  const stats = await Promise.all(names.filter(isPidName).map((n) => readProcStat(Number(n))));
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
