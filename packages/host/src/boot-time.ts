import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readProcStat } from './proc-stat.js';

let ticks: number | undefined;
let boot: number | undefined;
let page: number | undefined;

function getconf(name: string, fallback: number): number {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isInteger(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Clock ticks per second (USER_HZ): 100 on Linux, asked of `getconf CLK_TCK` once. */
export function clockTicks(): number {
  ticks ??= getconf('CLK_TCK', 100);
  return ticks;
}

/** Bytes per memory page, asked of `getconf PAGESIZE` once. */
export function pageSize(): number {
  page ??= getconf('PAGESIZE', 4096);
  return page;
}

/** When the machine booted, in ms since the epoch (`btime` of /proc/stat). */
export function bootTimeMs(): number {
  if (boot === undefined) {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    boot = Number(line?.slice(6)) * 1000;
  }
  return boot;
}

/** Start ticks (field 22 of stat) → ms since the epoch. */
export function ticksToEpochMs(startTicks: number): number {
  return bootTimeMs() + Math.round((startTicks / clockTicks()) * 1000);
}

/** When the process started, in ms since the epoch, or undefined when it does not exist. */
export async function processStartTime(pid: number): Promise<number | undefined> {
  const stat = await readProcStat(pid);
  return stat ? ticksToEpochMs(stat.startTicks) : undefined;
}
