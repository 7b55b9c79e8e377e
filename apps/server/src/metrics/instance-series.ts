import { INSTANCE_STATUSES, type Instance, type ResourceSample } from '@berth/core';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the per-instance series are read from, at each scrape. */
export interface InstanceSource {
  instances(): Instance[];
  history(instanceId: string, since: number): ResourceSample[];
}

const LABELS = ['instance', 'template', 'node'] as const;
const HEALTH = ['starting', 'healthy', 'unhealthy'] as const;

/**
 * The series of each instance, labelled instance/template/node, computed when Prometheus scrapes
 * (nothing is kept between scrapes but the CPU sums): a removed instance's series disappear.
 */
export class InstanceSeries {
  /** CPU seconds per instance id, summed from the sampler's samples, and the last sample counted. */
  private readonly cpu = new Map<string, { ts: number; seconds: number }>();

  constructor(registry: Registry, source: InstanceSource) {
    const gauge = (name: string, help: string, extra: string[] = [], collect?: () => void) =>
      new Gauge({
        name,
        help,
        labelNames: [...LABELS, ...extra],
        registers: [registry],
        ...(collect ? { collect } : {}),
      });
    // One collect fills all the gauges from the same list, so they agree with each other; `status`
    // is registered first, so its collect runs before the others are read.
    const status = gauge(
      'berth_instance_status',
      'The instance status: 1 for the current one',
      ['status'],
      () => fill(),
    );
    const up = gauge('berth_instance_up', '1 while the instance is running, else 0');
    const restarts = gauge('berth_instance_restarts', 'Restarts since the last start request');
    const memory = gauge('berth_instance_memory_bytes', 'Memory in use (latest sample)');
    const disk = gauge('berth_instance_disk_bytes', 'Size of the data directory or volumes (latest sample)');
    const health = gauge('berth_instance_health', 'The health check result: 1 for the current one', [
      'health',
    ]);
    const sampler = this;
    new Counter({
      name: 'berth_instance_cpu_seconds_total',
      help: 'CPU time used, summed from the samples (CPU % of one core × the time between samples)',
      labelNames: [...LABELS],
      registers: [registry],
      collect() {
        this.reset();
        const all = source.instances();
        for (const i of all) {
          const seconds = sampler.cpuSeconds(i.id, source);
          if (seconds !== undefined) this.inc(labelsOf(i), seconds);
        }
        sampler.forgetAllBut(new Set(all.map((i) => i.id)));
      },
    });
    const fill = () => {
      for (const g of [status, up, restarts, memory, disk, health]) g.reset();
      for (const i of source.instances()) {
        const l = labelsOf(i);
        for (const s of INSTANCE_STATUSES) status.set({ ...l, status: s }, s === i.status ? 1 : 0);
        up.set(l, i.status === 'running' ? 1 : 0);
        restarts.set(l, i.restartCount);
        if (i.health) for (const h of HEALTH) health.set({ ...l, health: h }, h === i.health ? 1 : 0);
        const latest = source.history(i.id, 0).at(-1);
        if (latest && i.status === 'running') {
          memory.set(l, latest.memoryBytes);
          if (latest.diskBytes !== null) disk.set(l, latest.diskBytes);
        }
      }
    };
  }

  /** Drops the sums of removed instances. */
  private forgetAllBut(ids: Set<string>): void {
    for (const id of this.cpu.keys()) if (!ids.has(id)) this.cpu.delete(id);
  }

  /** Adds the samples taken since the last scrape; undefined until the instance has a sample. */
  private cpuSeconds(id: string, source: InstanceSource): number | undefined {
    const sum = this.cpu.get(id);
    const samples = source.history(id, sum?.ts ?? 0);
    if (!sum && samples.length === 0) return undefined;
    let { ts, seconds } = sum ?? { ts: samples[0]?.ts ?? 0, seconds: 0 };
    for (const s of samples) {
      if (s.ts <= ts) continue;
      seconds += (s.cpuPercent / 100) * ((s.ts - ts) / 1000);
      ts = s.ts;
    }
    this.cpu.set(id, { ts, seconds });
    return seconds;
  }
}

function labelsOf(i: Instance): Record<(typeof LABELS)[number], string> {
  return { instance: i.name, template: i.template, node: i.node };
}
