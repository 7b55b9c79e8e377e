import { readFileSync } from 'node:fs';
import { arch, endianness } from 'node:os';
import { readProcStat } from './proc-stat.js';

let boot: number | undefined;

/** The auxiliary vector's entries this module reads (see getauxval(3)). */
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/**
 * What the kernel told this process at exec (/proc/self/auxv: pairs of native words), where
 * sysconf() reads CLK_TCK and PAGESIZE from. Read in microseconds, where asking `getconf` spawned a
 * process and held the server's loop ~100 ms at the first deploy of a busy host.
 */
const auxv: Map<number, number> = (() => {
  const out = new Map<number, number>();
  try {
    const buf = readFileSync('/proc/self/auxv');
    const word = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(arch()) ? 4 : 8;
    const read = (at: number) => {
      if (word === 4) return endianness() === 'LE' ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
      return Number(endianness() === 'LE' ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));
    };
    for (let at = 0; at + 2 * word <= buf.length; at += 2 * word) {
      const type = read(at);
      if (type === 0) break;
      out.set(type, read(at + word));
    }
  } catch {
    // not Linux, or no /proc: the defaults below
  }
  return out;
})();

function fromAuxv(type: number, fallback: number): number {
  const v = auxv.get(type);
  return v !== undefined && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Clock ticks per second (USER_HZ): 100 on Linux. */
export function clockTicks(): number {
  return fromAuxv(AT_CLKTCK, 100);
}

/** Bytes per memory page. */
export function pageSize(): number {
  return fromAuxv(AT_PAGESZ, 4096);
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
