import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import type { HostSample, HostStatsSource } from '@berth/core';

/** This machine's CPU (from /proc/stat deltas) and memory (MemTotal − MemAvailable from /proc/meminfo). */
export class ProcHostStats implements HostStatsSource {
  private last: { busy: number; total: number } | undefined;

  constructor(private readonly root = '/proc') {}

  async sample(): Promise<HostSample> {
    const [stat, meminfo] = await Promise.all([
      readFile(`${this.root}/stat`, 'utf8'),
      readFile(`${this.root}/meminfo`, 'utf8'),
    ]);
    const cpu = parseCpuLine(stat);
    const prev = this.last;
    this.last = cpu;
    const cpuPercent =
      prev && cpu.total > prev.total
        ? ((cpu.busy - prev.busy) / (cpu.total - prev.total)) * 100 * cpus().length
        : 0;
    const mem = parseMeminfo(meminfo);
    const used = mem.total - mem.available;
    return {
      ts: Date.now(),
      cpuPercent: Math.round(cpuPercent * 100) / 100,
      cpuCount: cpus().length,
      memoryBytes: used,
      memoryTotalBytes: mem.total,
      memoryPercent: mem.total > 0 ? Math.round((used / mem.total) * 10000) / 100 : 0,
      load1: loadavg()[0] ?? 0,
    };
  }
}

/** The aggregate `cpu` line: busy = everything but idle and iowait. */
export function parseCpuLine(stat: string): { busy: number; total: number } {
  const line = stat.split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

export function parseMeminfo(text: string): { total: number; available: number } {
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { total: kb('MemTotal'), available: kb('MemAvailable') };
}
