import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The fields of /proc/<pid>/stat berth uses. Times are in clock ticks, memory in pages. */
export interface ProcStat {
  pid: number;
  /** Executable name as the kernel reports it (at most 15 characters). */
  comm: string;
  /** R, S, D, Z (zombie), T, X (dead)… */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Field 22: start time after boot, in ticks. Together with the pid it names one process. */
  startTicks: number;
  rssPages: number;
}

/** Parses one /proc/<pid>/stat line; the name may hold spaces and parentheses, so split after the last `)`. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[0] is field 3 (state), so field N is f[N - 3].
  const num = (field: number) => Number(f[field - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: num(4),
    pgid: num(5),
    sid: num(6),
    utimeTicks: num(14),
    stimeTicks: num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
  return Number.isFinite(stat.startTicks) ? stat : undefined;
}

/** /proc/<pid>/stat, or undefined when there is no such process. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The same, read synchronously: /proc reads take microseconds, so batch scans use this. */
export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** True for a process that has exited but is not yet reaped, or is being torn down. */
export function isDead(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
}
