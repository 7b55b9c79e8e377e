import { clockTicks, type ProcStat, ticksToEpochMs } from '@berth/host';

/**
 * CPU % of a process tree between two calls (per key), like `top`: 100 = one core busy. The first
 * sample of a tree is measured from its leader's start, so it is never empty.
 */
export class CpuMeter {
  private readonly last = new Map<string, { ticks: number; at: number }>();

  percent(key: string, tree: ProcStat[], now = Date.now()): number {
    let ticks = 0;
    for (const s of tree) ticks += s.utimeTicks + s.stimeTicks;
    let last = this.last.get(key);
    if (!last) {
      last = { ticks: 0, at: ticksToEpochMs(tree[0]?.startTicks ?? 0) };
      this.last.set(key, last);
    }
    const seconds = (now - last.at) / 1000;
    const delta = ticks - last.ticks;
    last.ticks = ticks; // updated in place: no garbage per workload per pass
    last.at = now;
    if (seconds <= 0 || delta < 0) return 0;
    return ((delta / clockTicks()) * 100) / seconds;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
