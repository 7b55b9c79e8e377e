import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { ResourceSample } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTemplate, openObservedBerth } from './observe-support.js';
import { tempHome, until, writeTemplate } from './support.js';

// No ports: these workloads do not listen.

const MiB = 1024 * 1024;
const ready = ['readiness: { kind: log, pattern: ready }'];
const idle = nodeTemplate('idle', "console.log('ready');setInterval(()=>{},1000)", ready);
/** 200 MiB touched (filled), plus 1 MiB written to the data directory. */
const hog = nodeTemplate(
  'hog',
  [
    "require('fs').writeFileSync(require('path').join(process.env.BERTH_DATA_DIR,'blob'),Buffer.alloc(1<<20,7));",
    'globalThis.keep=Buffer.alloc(200*1024*1024,1);',
    "console.log('ready');setInterval(()=>{},1000)",
  ].join(''),
  ready,
);
/** A busy loop that also writes its own CPU time (getrusage) to `cpu` in its data dir every 20 ms. */
const busy = nodeTemplate(
  'busy',
  [
    "const fs=require('fs');const f=require('path').join(process.env.BERTH_DATA_DIR,'cpu');console.log('ready');",
    'let last=0;for(;;){const n=Date.now();if(n-last>=20){last=n;const u=process.cpuUsage();',
    'fs.writeFileSync(f+".tmp",JSON.stringify({at:n,cpuMs:(u.user+u.system)/1000}));fs.renameSync(f+".tmp",f)}}',
  ].join(''),
  ready,
);

describe('resource sampler', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('observe-resources');
    for (const [name, text] of Object.entries({ idle, hog, busy }))
      await writeTemplate(env.templates, `${name}.yaml`, text);
    berth = await openObservedBerth(env.home, env.templates, { sampleSeconds: 0.5 });
  });
  afterAll(async () => {
    for (const i of berth?.instances.list() ?? []) await berth.instances.remove(i.id).catch(() => undefined);
    await berth?.close();
    await env?.cleanup();
  });

  async function running(template: string) {
    const inst = await berth.instances.create({ template, name: `${template}-1` });
    await until(`${template} running`, () => berth.instances.get(inst.id).status === 'running' || undefined);
    return inst.id;
  }

  /** The newest sample taken at least `samples` ticks after now. */
  async function sampleAfter(id: string, samples = 3): Promise<ResourceSample> {
    const from = Date.now();
    return until(`${samples} samples of ${id}`, () => {
      const fresh = berth.sampler.history(id, from);
      return fresh.length >= samples ? fresh.at(-1) : undefined;
    });
  }

  it('reports a process holding 200 MiB within 10 %, as a share of the real host total', async () => {
    const [idleId, hogId] = await Promise.all([running('idle'), running('hog')]);
    const [base, held] = await Promise.all([sampleAfter(idleId), sampleAfter(hogId)]);
    const extra = held.memoryBytes - base.memoryBytes;
    expect(Math.abs(extra - 200 * MiB) / (200 * MiB)).toBeLessThan(0.1);
    expect(held.memoryPercent).toBeCloseTo((held.memoryBytes / totalmem()) * 100, 1);
    const disk = await until('the data directory size', () => {
      const d = berth.sampler.latest(hogId)?.diskBytes;
      return d !== null && d !== undefined ? d : undefined;
    });
    expect(disk).toBeGreaterThanOrEqual(MiB);
    expect(disk).toBeLessThan(2 * MiB);
  });

  it('reads a busy loop as about one core: what the process itself accounts for, within 15 points', async () => {
    const id = await running('busy');
    const dataDir = berth.instances.get(id).dataDir;
    const own = async () =>
      until('the loop’s own CPU time', async () => {
        const text = await readFile(join(dataDir, 'cpu'), 'utf8').catch(() => '');
        return text ? (JSON.parse(text) as { at: number; cpuMs: number }) : undefined;
      });
    await sampleAfter(id, 1);
    const before = await own();
    await sampleAfter(id, 5);
    const after = await own();
    // Each sample covers the 0.5 s since the one before it: keep those wholly inside the window.
    const inWindow = berth.sampler.history(id, before.at + 500).filter((x) => x.ts <= after.at);
    expect(inWindow.length).toBeGreaterThanOrEqual(2);
    const measured = inWindow.reduce((sum, x) => sum + x.cpuPercent, 0) / inWindow.length;
    const actual = ((after.cpuMs - before.cpuMs) / (after.at - before.at)) * 100;
    // One core when the machine is idle; with other tests running, the loop gets what it gets.
    expect(actual).toBeGreaterThan(25);
    expect(Math.abs(measured - actual)).toBeLessThan(15);
    expect(measured).toBeLessThan(120);
    const host = berth.sampler.host();
    expect(host.latest?.cpuPercent).toBeGreaterThan(25);
    expect(host.history.length).toBeGreaterThan(2);
  });
});
