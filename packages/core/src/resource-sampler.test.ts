import { describe, expect, it } from 'vitest';
import { TestClock } from '../test/port-fixtures.js';
import type { Deployment, WorkloadHandle } from './deployment.js';
import type { Instance } from './instance.js';
import { silentLogger } from './logger.js';
import { type HostSample, ResourceSampler } from './resource-sampler.js';
import type { ResourceSample, Runtime } from './runtime.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import type { Store } from './store.js';

type Stats = Omit<ResourceSample, 'ts' | 'diskBytes'>;

/** A runtime's `stats`, answering from a table and recording each call's handles. */
class StatsRuntime {
  calls: string[][] = [];
  fail: Error | null = null;
  table = new Map<string, Stats>();
  async stats(handles: WorkloadHandle[]) {
    this.calls.push(handles.map((h) => h.id));
    if (this.fail) throw this.fail;
    return new Map(
      handles.flatMap((h) => (this.table.has(h.id) ? [[h.id, this.table.get(h.id)!] as const] : [])),
    );
  }
}

/** Instances and deployments in memory: the slice of a Store the sampler reads. */
function world() {
  const instances = new Map<string, Instance>();
  const deployments = new Map<string, Deployment>();
  let deploymentReads = 0;
  const store = {
    instances: {
      list: (f: { status?: string }) =>
        [...instances.values()].filter((i) => !f.status || i.status === f.status),
      find: (id: string) => instances.get(id),
    },
    deployments: {
      find: (id: string) => {
        deploymentReads++;
        return deployments.get(id);
      },
    },
  } as unknown as Store;
  const runtimes = new Map<string, StatsRuntime>();
  const runtimeOf = (node: string, kind: string) => {
    const k = `${node}|${kind}`;
    if (!runtimes.has(k)) runtimes.set(k, new StatsRuntime());
    return runtimes.get(k)!;
  };
  const resolver = { byKind: (node: string, kind: string) => runtimeOf(node, kind) as unknown as Runtime };
  const add = (
    id: string,
    opts: { node?: string; runtime?: string; status?: Instance['status']; handle?: boolean } = {},
  ) => {
    const runtime = opts.runtime ?? 'process';
    const dep = {
      id: `d-${id}`,
      runtime,
      handle: opts.handle === false ? null : { runtime, id: `h-${id}`, meta: {} },
    };
    deployments.set(dep.id, dep as Deployment);
    const inst = {
      id,
      node: opts.node ?? 'local',
      status: opts.status ?? 'running',
      currentDeploymentId: dep.id,
      dataDir: `/data/${id}`,
    };
    instances.set(id, inst as Instance);
    runtimeOf(inst.node, runtime).table.set(`h-${id}`, {
      cpuPercent: 10,
      memoryBytes: 100,
      memoryPercent: 1,
    });
    return inst;
  };
  return {
    store,
    resolver: resolver as unknown as RuntimeResolver,
    instances,
    runtimeOf,
    add,
    reads: () => deploymentReads,
  };
}

const hostSample: HostSample = {
  ts: 5,
  cpuPercent: 50,
  cpuCount: 2,
  memoryBytes: 1,
  memoryTotalBytes: 2,
  memoryPercent: 50,
  load1: 1,
};

function samplerOf(
  w: ReturnType<typeof world>,
  extra: { clock?: TestClock; disk?: (dir: string) => Promise<number | null> } = {},
) {
  // A clock at a real date: a data directory is first walked once `now` is diskTtlMs past 0.
  const clock = extra.clock ?? new TestClock(NOW);
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (_: object, msg?: string) => void warnings.push(msg ?? '') };
  const host = { sample: async () => hostSample };
  const diskUsage = { bytes: extra.disk ?? (async () => 4096) };
  const sampler = new ResourceSampler(
    { store: w.store, runtimes: w.resolver, clock, log, host, diskUsage },
    { capacity: 3, diskTtlMs: 60_000 },
  );
  return { sampler, clock, warnings };
}

const NOW = 1_700_000_000_000;
const tick = () => new Promise((r) => setImmediate(r));

describe('ResourceSampler', () => {
  it('asks each runtime of each node once per pass, for all its running workloads', async () => {
    const w = world();
    w.add('a');
    w.add('b');
    w.add('c', { runtime: 'docker' });
    w.add('d', { node: 'remote', runtime: 'docker' });
    w.add('e', { status: 'stopped' });
    w.add('f', { handle: false });
    const { sampler } = samplerOf(w);
    await sampler.sampleOnce();
    expect(w.runtimeOf('local', 'process').calls).toEqual([['h-a', 'h-b']]);
    expect(w.runtimeOf('local', 'docker').calls).toEqual([['h-c']]);
    expect(w.runtimeOf('remote', 'docker').calls).toEqual([['h-d']]);
    expect(sampler.latest('a')).toEqual({
      ts: NOW,
      cpuPercent: 10,
      memoryBytes: 100,
      memoryPercent: 1,
      diskBytes: null,
    });
    expect(sampler.latest('e')).toBeUndefined();
    expect(sampler.latest('f')).toBeUndefined();
  });

  it('reads a running deployment from the store once, not every pass', async () => {
    const w = world();
    w.add('a');
    const { sampler } = samplerOf(w);
    await sampler.sampleOnce();
    await sampler.sampleOnce();
    await sampler.sampleOnce();
    expect(w.reads()).toBe(1);
    expect(sampler.history('a')).toHaveLength(3);
  });

  it('a runtime that fails is logged; the others are still sampled', async () => {
    const w = world();
    w.add('a');
    w.add('c', { runtime: 'docker' });
    w.runtimeOf('local', 'docker').fail = new Error('engine down');
    const { sampler, warnings } = samplerOf(w);
    await sampler.sampleOnce();
    expect(sampler.latest('a')).toBeDefined();
    expect(sampler.latest('c')).toBeUndefined();
    expect(warnings).toEqual(['stats failed']);
  });

  it('says why an instance has no stats: its runtime’s reason, or none given; a sample clears it', async () => {
    const w = world();
    w.add('k', { node: 'kube', runtime: 'kubernetes' });
    w.add('s', { node: 'swarm', runtime: 'swarm' });
    w.add('a');
    w.runtimeOf('kube', 'kubernetes').fail = new Error('n/a: this cluster does not serve metrics.k8s.io');
    w.runtimeOf('swarm', 'swarm').table.clear();
    const { sampler } = samplerOf(w);
    await sampler.sampleOnce();
    expect(sampler.unavailable('k')).toBe('this cluster does not serve metrics.k8s.io');
    expect(sampler.unavailable('s')).toBe('the swarm runtime of node swarm gave no sample for it');
    expect(sampler.unavailable('a')).toBeUndefined();
    w.runtimeOf('kube', 'kubernetes').fail = null;
    await sampler.sampleOnce();
    expect(sampler.unavailable('k')).toBeUndefined();
    expect(sampler.latest('k')).toBeDefined();
  });

  it('walks a data directory in the background and reuses its size until it is diskTtlMs old', async () => {
    const w = world();
    w.add('a');
    const walks: string[] = [];
    let size = 4096;
    const disk = async (dir: string) => {
      walks.push(dir);
      return size;
    };
    const { sampler, clock } = samplerOf(w, { disk });
    await sampler.sampleOnce();
    expect(sampler.latest('a')?.diskBytes).toBeNull(); // the walk has only started
    await tick();
    clock.t += 59_000;
    size = 8192;
    await sampler.sampleOnce();
    expect(sampler.latest('a')?.diskBytes).toBe(4096);
    expect(walks).toEqual(['/data/a']);
    clock.t += 2_000;
    await sampler.sampleOnce();
    await tick();
    await sampler.sampleOnce();
    expect(sampler.latest('a')?.diskBytes).toBe(8192);
    expect(walks).toEqual(['/data/a', '/data/a']);
  });

  it('walks two data directories at a time, however many instances there are, and sizes them all', async () => {
    const w = world();
    for (let i = 0; i < 50; i++) w.add(`i${i}`);
    let walking = 0;
    let most = 0;
    const disk = async (dir: string) => {
      most = Math.max(most, ++walking);
      await tick();
      walking--;
      return dir.length;
    };
    const { sampler, clock } = samplerOf(w, { disk });
    await sampler.sampleOnce();
    for (let i = 0; i < 60; i++) await tick();
    expect(most).toBe(2);
    clock.t += 1_000;
    await sampler.sampleOnce();
    for (let i = 0; i < 50; i++) expect(sampler.latest(`i${i}`)?.diskBytes).toBe(`/data/i${i}`.length);
  });

  it('keeps `capacity` samples per instance, filters history by time, and forgets removed instances', async () => {
    const w = world();
    w.add('a');
    const { sampler, clock } = samplerOf(w);
    for (let i = 0; i < 5; i++) {
      clock.t = NOW + i;
      await sampler.sampleOnce();
    }
    expect(sampler.history('a').map((s) => s.ts)).toEqual([NOW + 2, NOW + 3, NOW + 4]);
    expect(sampler.history('a', NOW + 3).map((s) => s.ts)).toEqual([NOW + 4]); // samples after `since`
    w.instances.get('a')!.status = 'stopped';
    await sampler.sampleOnce();
    expect(sampler.history('a')).toHaveLength(3); // stopped, not removed: its history stays
    w.instances.delete('a');
    await sampler.sampleOnce();
    expect(sampler.history('a')).toEqual([]);
  });

  it('samples the host beside the instances, and logs a host sample that fails', async () => {
    const w = world();
    const { sampler, warnings } = samplerOf(w);
    await sampler.sampleOnce();
    expect(sampler.host()).toEqual({
      latest: hostSample,
      history: [{ ts: 5, cpuPercent: 50, memoryBytes: 1, memoryPercent: 50, diskBytes: null }],
    });
    (sampler as unknown as { d: { host: { sample: () => Promise<HostSample> } } }).d.host.sample = () =>
      Promise.reject(new Error('no /proc/stat'));
    await sampler.sampleOnce();
    expect(warnings).toEqual(['host sample failed']);
    expect(sampler.host().history).toHaveLength(1);
  });

  it('a pass never overlaps the one still running', async () => {
    const w = world();
    w.add('a');
    const { sampler } = samplerOf(w);
    const first = sampler.sampleOnce();
    await sampler.sampleOnce();
    await first;
    expect(w.runtimeOf('local', 'process').calls).toHaveLength(1);
  });

  it('start samples on the clock until stop', async () => {
    const w = world();
    w.add('a');
    const clock = new TestClock(NOW);
    let scheduled: { fn: () => void; ms: number } | undefined;
    let cancelled = false;
    clock.setInterval = (fn: () => void, ms: number) => {
      scheduled = { fn, ms };
      return () => {
        cancelled = true;
      };
    };
    const { sampler } = samplerOf(w, { clock });
    sampler.start(5_000);
    expect(scheduled?.ms).toBe(5_000);
    scheduled?.fn();
    await tick();
    expect(sampler.latest('a')).toBeDefined();
    sampler.stop();
    expect(cancelled).toBe(true);
  });
});
