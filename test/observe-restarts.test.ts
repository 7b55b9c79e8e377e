import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BerthEvent } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTemplate, openObservedBerth } from './observe-support.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 12300–12499 belong to this file.

const crashing = nodeTemplate('crashy', 'setTimeout(() => process.exit(3), 150)', [
  'restart: { policy: on-failure, maxRetries: 3, backoffSeconds: 0.2 }',
]);

/** Answers 200 until a file named `fail` appears in its data dir, then 500; a fresh start clears it. */
const flaky = nodeTemplate(
  'flaky',
  [
    "const fs=require('fs');const flag=require('path').join(process.env.BERTH_DATA_DIR,'fail');",
    'fs.rmSync(flag,{force:true});',
    "require('http').createServer((q,s)=>{s.statusCode=fs.existsSync(flag)?500:200;s.end()}).listen(process.env.PORT);",
  ].join(''),
  [
    'ports:',
    '  - { name: http, env: PORT, preferred: 12300, range: [12300, 12499] }',
    'readiness: { kind: http, port: http, path: / }',
    'health:',
    '  http: { port: http, path: / }',
    '  intervalSeconds: 0.2',
    '  timeoutSeconds: 1',
    '  retries: 2',
    'restart: { policy: on-failure, maxRetries: 3, backoffSeconds: 0.2 }',
  ],
);

describe('restarts and health', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('observe-restarts');
    await writeTemplate(env.templates, 'crashy.yaml', crashing);
    await writeTemplate(env.templates, 'flaky.yaml', flaky);
    berth = await openObservedBerth(env.home, env.templates);
  });
  afterAll(async () => {
    for (const i of berth?.instances.list() ?? []) await berth.instances.remove(i.id).catch(() => undefined);
    await berth?.close();
    await env?.cleanup();
  });

  const eventsOf = (id: string) => berth.store.events.list({ instanceId: id });

  it('restarts a process that exits non-zero with growing delays, then gives up with the reason', async () => {
    const inst = await berth.instances.create({ template: 'crashy', name: 'crashy-1' });
    const final = await until(
      'crashy-1 to give up',
      () => {
        const i = berth.instances.get(inst.id);
        return i.status === 'error' && i.nextRetryAt === null && i.restartCount === 3 ? i : undefined;
      },
      30_000,
    );
    expect(final.lastExitCode).toBe(3);
    expect(final.errorMessage).toMatch(/exited with code 3; gave up after 3 restarts/);
    expect(final.desiredState).toBe('running');

    const events = eventsOf(inst.id);
    const restarts = events.filter((e) => e.type === 'instance.restart');
    expect(restarts.map((e) => e.data.attempt)).toEqual([1, 2, 3]);
    expect(restarts.map((e) => e.data.delayMs)).toEqual([200, 400, 800]);
    expect(restarts.every((e) => e.data.exitCode === 3)).toBe(true);

    // the real waits: from each restart decision to the deploy that followed it
    const waits = restarts.map((r) => {
      const next = events.find((e) => e.id > r.id && isStatus(e, 'deploying'));
      return (next?.ts ?? Number.NaN) - r.ts;
    });
    // each wait is at least its delay, and they grow (timers and deploys add jitter on top)
    for (const [i, w] of waits.entries()) expect(w).toBeGreaterThanOrEqual([200, 400, 800][i]! - 5);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);
    expect(waits[2]!).toBeGreaterThan(waits[1]!);

    // every step has its event: 4 deploys, 4 runs, 3 restart decisions, one give-up
    expect(events.filter((e) => isStatus(e, 'deploying'))).toHaveLength(4);
    expect(events.filter((e) => isStatus(e, 'running'))).toHaveLength(4);
    const gaveUp = events.filter((e) => e.type === 'instance.status' && /gave up/.test(e.message));
    expect(gaveUp).toHaveLength(1);
  });

  it('marks an instance whose HTTP check starts failing unhealthy, and on-failure restarts it to healthy', async () => {
    const inst = await berth.instances.create({ template: 'flaky', name: 'flaky-1' });
    await until('flaky-1 healthy', () => berth.instances.get(inst.id).health === 'healthy' || undefined);
    const firstDeployment = berth.instances.get(inst.id).currentDeploymentId;

    await writeFile(join(berth.instances.get(inst.id).dataDir, 'fail'), '');
    await until('an unhealthy report', () =>
      eventsOf(inst.id).find((e) => e.type === 'instance.health' && e.data.to === 'unhealthy'),
    );
    const healed = await until(
      'a new deployment, healthy',
      () => {
        const i = berth.instances.get(inst.id);
        return i.currentDeploymentId !== firstDeployment && i.status === 'running' && i.health === 'healthy'
          ? i
          : undefined;
      },
      20_000,
    );
    expect(healed.restartCount).toBe(1);
    expect(healed.errorMessage).toBeNull();
    const events = eventsOf(inst.id);
    const restart = events.find((e) => e.type === 'instance.restart');
    expect(restart?.data).toMatchObject({ attempt: 1, reason: 'unhealthy' });
    expect(restart?.message).toMatch(/unhealthy \(HTTP 500\)/);
    const health = events.filter((e) => e.type === 'instance.health').map((e) => e.data.to);
    expect(health).toEqual(['healthy', 'unhealthy', 'healthy']);
  });
});

function isStatus(e: BerthEvent, to: string): boolean {
  return e.type === 'instance.status' && e.data.to === to;
}
