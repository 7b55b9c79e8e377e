import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import { type HostSample, ResourceSampler } from './resource-sampler.js';
import type { RuntimeResolver } from './runtime-resolver.js';

/**
 * The sampler beside a real reconciler: it samples what the reconciler records as running, from
 * the ScriptedRuntime's stats, on the ManualClock. The host and the disk are this machine's I/O,
 * which the host package implements; here they answer from tables.
 */
let w: ReconcilerWorld;
let sampler: ResourceSampler;
let diskWalks: string[];

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({ name: 'web', ports: [{ name: 'http', range: [23500, 23599] }], restart: { policy: 'never' } });
  diskWalks = [];
  const runtimes: RuntimeResolver = {
    resolve: () => w.runtime,
    byKind: () => w.runtime,
    all: () => [{ node: 'local', runtime: w.runtime }],
    hostOf: () => 'local',
  };
  const host = {
    sample: async (): Promise<HostSample> => ({
      ts: w.clock.now(),
      cpuPercent: 12,
      cpuCount: 2,
      memoryBytes: 1024,
      memoryTotalBytes: 4096,
      memoryPercent: 25,
      load1: 0.5,
    }),
  };
  const diskUsage = {
    bytes: async (dir: string) => {
      diskWalks.push(dir);
      return 2048;
    },
  };
  sampler = new ResourceSampler(
    { store: w.store, runtimes, clock: w.clock, log: silentLogger, host, diskUsage },
    { capacity: 5, diskTtlMs: 30_000 },
  );
});
afterEach(async () => {
  sampler.stop();
  await w.close();
});

const create = (name: string) => w.instances.create({ template: 'web', name }, { wait: true });

describe('ResourceSampler over a real reconciler', () => {
  it('samples every running instance on the Clock, and the host beside them, until stopped', async () => {
    const a = await create('web-1');
    sampler.start(5_000);
    await w.clock.advance(15_000);
    const history = sampler.history(a.id);
    expect(history.map((s) => s.ts)).toEqual([5_000, 10_000, 15_000].map((d) => w.clock.now() - 15_000 + d));
    expect(history[0]).toMatchObject({ cpuPercent: 0.5, memoryBytes: 16 * 1024 * 1024, memoryPercent: 0.2 });
    expect(sampler.host().latest).toMatchObject({ cpuPercent: 12, memoryPercent: 25 });
    expect(sampler.host().history).toHaveLength(3);
    sampler.stop();
    await w.clock.advance(15_000);
    expect(sampler.history(a.id)).toHaveLength(3);
  });

  it('samples only what runs: a stopped instance gets no new samples, a crashed workload none either', async () => {
    const a = await create('web-1');
    const b = await create('web-2');
    const c = await create('web-3');
    await w.instances.stop(b.id, { wait: true });
    w.runtime.crash(w.store.deployments.find(c.currentDeploymentId!)!.handle!, 1);
    await sampler.sampleOnce();
    expect(sampler.history(a.id)).toHaveLength(1);
    expect(sampler.history(b.id)).toEqual([]);
    expect(sampler.history(c.id)).toEqual([]); // recorded running until the tick, but the runtime has no stats
  });

  it('follows a restart to the new workload', async () => {
    const a = await create('web-1');
    await sampler.sampleOnce();
    await w.instances.restart(a.id, { wait: true });
    await w.clock.advance(1_000);
    await sampler.sampleOnce();
    expect(sampler.history(a.id)).toHaveLength(2);
    expect(sampler.latest(a.id)?.ts).toBe(w.clock.now());
  });

  it('forgets a removed instance', async () => {
    const a = await create('web-1');
    await sampler.sampleOnce();
    await w.instances.remove(a.id);
    await sampler.sampleOnce();
    expect(sampler.history(a.id)).toEqual([]);
  });

  it('walks a data directory in the background, at most once per diskTtlMs', async () => {
    const a = await create('web-1');
    sampler.start(5_000);
    await w.clock.advance(5_000);
    expect(sampler.latest(a.id)?.diskBytes).toBeNull(); // the first walk is still out
    await w.clock.advance(20_000);
    expect(sampler.latest(a.id)?.diskBytes).toBe(2048);
    expect(diskWalks).toEqual([a.dataDir]);
    await w.clock.advance(30_000);
    expect(diskWalks).toEqual([a.dataDir, a.dataDir]);
  });
});
