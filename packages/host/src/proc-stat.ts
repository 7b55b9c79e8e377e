import { closeSync, openSync, readSync } from 'node:fs';
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
  /** Field 20: threads in the process (1 for most workloads: one children file to read). */
  numThreads?: number;
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
    numThreads: num(20),
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
    return parseProcStat(readProcTextSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * A /proc file as text, read through one reused buffer. /proc files report size 0, so
 * `readFileSync` reads them into a fresh 64 KiB buffer each: a scan of 1,000 processes would make
 * 64 MB of garbage and take ~20 times as long. Throws like `readFileSync`.
 */
export function readProcTextSync(path: string, encoding: 'latin1' | 'utf8'): string {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      const read = readSync(fd, scratch, n, scratch.length - n, null);
      if (read === 0) break;
      n += read;
      if (n === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger);
        scratch = bigger;
      }
    }
    const text = scratch.toString(encoding, 0, n);
    if (scratch.length > 1024 * 1024) scratch = Buffer.allocUnsafe(16 * 1024);
    return text;
  } finally {
    closeSync(fd);
  }
}

/** True for a process that has exited but is not yet reaped, or is being torn down. */
export function isDead(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
}
