import type { HealthResult, HealthTarget } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;
/** What the next checks answer, in order (a promise answers when the test resolves it); then ok. */
let answers: (HealthResult | Promise<HealthResult> | Error)[];
let targets: HealthTarget[];

beforeEach(async () => {
  answers = [];
  targets = [];
  w = await reconcilerWorld({
    health: {
      check: async (target) => {
        targets.push(target);
        const next = answers.shift() ?? { ok: true, message: 'HTTP 200' };
        if (next instanceof Error) throw next;
        return next;
      },
    },
  });
});
afterEach(() => w.close());

function template(health: Record<string, unknown>, restart: Record<string, unknown> = {}) {
  w.template({
    name: 'web',
    ports: [{ name: 'http', range: [21700, 21799] }],
    health: { http: { port: 'http', path: '/healthz' }, intervalSeconds: 5, retries: 2, ...health },
    restart: { policy: 'on-failure', backoffSeconds: 1, ...restart },
  });
}

const create = () => w.instances.create({ template: 'web', name: 'web-1' }, { wait: true });
const fail = (message = 'HTTP 503'): HealthResult => ({ ok: false, message });
const healthEvents = (id: string) =>
  w.events.filter((e) => e.type === 'instance.health' && e.instanceId === id).map((e) => e.data.to);

/** Moves the Clock to the next check and lets the tick run it. */
async function nextCheck(): Promise<void> {
  await w.clock.advance(5_000);
  await w.reconciler.tick();
  await w.clock.advance(0);
}

describe('health results', () => {
  it('checks the deployment’s own port and path on the node’s address', async () => {
    template({});
    const inst = await create();
    await nextCheck();
    const port = w.instances.ports(inst.id).http;
    expect(targets).toEqual([{ kind: 'http', port, path: '/healthz', host: '127.0.0.1' }]);
  });

  it('recovers: unhealthy, then healthy again when a check passes, its error cleared', async () => {
    template({}, { onUnhealthy: false });
    const inst = await create();
    answers.push(fail(), fail());
    await nextCheck();
    await nextCheck();
    const sick = w.instances.get(inst.id);
    expect(sick.health).toBe('unhealthy');
    expect(sick.errorMessage).toContain('restarts on unhealthy are off');
    await nextCheck();
    expect(w.instances.get(inst.id)).toMatchObject({
      health: 'healthy',
      errorMessage: null,
      status: 'running',
    });
    expect(healthEvents(inst.id)).toEqual(['unhealthy', 'healthy']);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
  });

  it('needs `retries` failures in a row: a pass in between starts the count again', async () => {
    template({ retries: 3 });
    const inst = await create();
    answers.push(fail(), fail(), { ok: true, message: 'ok' }, fail(), fail());
    for (let i = 0; i < 5; i++) await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('healthy');
    answers.push(fail());
    await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('unhealthy');
  });

  it('failures during the start period do not count', async () => {
    template({ startPeriodSeconds: 20 });
    const inst = await create();
    answers.push(fail(), fail(), fail());
    for (let i = 0; i < 3; i++) await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('starting');
    answers.push(fail(), fail());
    await nextCheck();
    await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('unhealthy');
  });

  it('a probe that throws is a failed check with its reason', async () => {
    template({ retries: 1 }, { onUnhealthy: false });
    const inst = await create();
    answers.push(new Error('connect ECONNREFUSED 127.0.0.1:21700'));
    await nextCheck();
    const e = w.events.find((x) => x.type === 'instance.health' && x.instanceId === inst.id);
    expect(e?.message).toBe('unhealthy: connect ECONNREFUSED 127.0.0.1:21700');
  });

  it('never runs two checks of one instance at once', async () => {
    template({ intervalSeconds: 1 });
    await create();
    let answer: (r: HealthResult) => void = () => {};
    answers.push(new Promise((resolve) => (answer = resolve)));
    for (let i = 0; i < 4; i++) {
      await w.clock.advance(1_000);
      await w.reconciler.tick();
    }
    expect(targets).toHaveLength(1);
    answer({ ok: true, message: 'ok' });
    await w.clock.advance(0); // the result is recorded now; the next check is an interval later
    await w.clock.advance(1_000);
    await w.reconciler.tick();
    expect(targets).toHaveLength(2);
  });

  it('a late result of a replaced deployment changes nothing', async () => {
    template({ retries: 1 });
    const inst = await create();
    let answer: (r: HealthResult) => void = () => {};
    answers.push(new Promise((resolve) => (answer = resolve)));
    await nextCheck();
    await w.instances.restart(inst.id, { wait: true });
    answer(fail('late'));
    await w.clock.advance(0);
    expect(w.instances.get(inst.id)).toMatchObject({ health: 'starting', restartCount: 0 });
    expect(healthEvents(inst.id)).toEqual([]);
  });

  it('unhealthy past maxRetries gives up restarting and says so, leaving it running', async () => {
    template({ retries: 1 }, { maxRetries: 1 });
    const inst = await create();
    answers.push(fail());
    await nextCheck();
    expect(w.instances.get(inst.id).restartCount).toBe(1);
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).health).toBe('starting');
    answers.push(fail());
    await nextCheck();
    const after = w.instances.get(inst.id);
    expect(after).toMatchObject({ status: 'running', health: 'unhealthy', restartCount: 1 });
    expect(after.errorMessage).toContain('gave up after 1 restart');
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(2);
  });

  it('a stopped instance is not checked', async () => {
    template({});
    const inst = await create();
    await w.instances.stop(inst.id, { wait: true });
    await nextCheck();
    expect(targets).toEqual([]);
  });
});

describe('an unhealthy restart overtaken by a request', () => {
  it('a stop before the restart is due: nothing is deployed when its time comes', async () => {
    template({ retries: 1 }, { backoffSeconds: 5 });
    const inst = await create();
    answers.push(fail());
    await nextCheck();
    expect(w.instances.get(inst.id)).toMatchObject({ health: 'unhealthy', restartCount: 1 });
    await w.instances.stop(inst.id, { wait: true });
    await w.clock.advance(5_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'stopped', desiredState: 'stopped' });
  });

  it('a kill before the restart is due: nothing is deployed either', async () => {
    template({ retries: 1 }, { backoffSeconds: 5 });
    const inst = await create();
    answers.push(fail());
    await nextCheck();
    await w.instances.kill(inst.id);
    await w.clock.advance(5_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
    expect(w.instances.get(inst.id).status).toBe('stopped');
  });

  it('a restart request takes its place: one deploy now, none when it would have been due', async () => {
    template({ retries: 1 }, { backoffSeconds: 5 });
    const inst = await create();
    answers.push(fail());
    await nextCheck();
    await w.instances.restart(inst.id, { wait: true });
    await w.clock.advance(5_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(2);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', restartCount: 0 });
  });

  it('a stop after the workload died unnoticed: the restart, when due, deploys nothing', async () => {
    template({ retries: 1 }, { backoffSeconds: 5 });
    const inst = await create();
    answers.push(fail());
    await nextCheck();
    const dep = w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!;
    w.runtime.crash(dep.handle!, 1); // before any tick sees it
    await w.instances.stop(inst.id, { wait: true });
    await w.clock.advance(5_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'stopped', desiredState: 'stopped' });
  });
});
