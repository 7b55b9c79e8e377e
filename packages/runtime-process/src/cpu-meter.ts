import { clockTicks, type ProcStat, ticksToEpochMs } from '@berth/host';

/**
 * CPU % of a process tree between two calls (per key), like `top`: 100 = one core busy. The first
 * sample of a tree is measured from its leader's start, so it is never empty.
 */
export class CpuMeter {
  private readonly last = new Map<string, { ticks: number; at: number }>();

  percent(key: string, tree: ProcStat[], now = Date.now()): number {
    const ticks = tree.reduce((sum, s) => sum + s.utimeTicks + s.stimeTicks, 0);
    const prev = this.last.get(key) ?? { ticks: 0, at: ticksToEpochMs(tree[0]?.startTicks ?? 0) };
    this.last.set(key, { ticks, at: now });
    const seconds = (now - prev.at) / 1000;
    if (seconds <= 0 || ticks < prev.ticks) return 0;
    return (((ticks - prev.ticks) / clockTicks()) * 100) / seconds;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
