import { InvalidInput } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;
afterEach(() => w.close());

/** The error a promise rejects with (fails the test when it resolves). */
async function refusal(p: Promise<unknown>): Promise<InvalidInput> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInput);
  return err as InvalidInput;
}

const deploysOf = (world: ReconcilerWorld) => world.runtime.calls.filter((c) => c.startsWith('deploy'));

describe('replicas on a runtime that runs one workload per instance', () => {
  it('refuses a create asking for replicas, naming the field and saying to create more instances', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web' });
    const err = await refusal(w.instances.create({ template: 'web', replicas: 3 }));
    expect(err.details).toEqual({ field: 'replicas' });
    expect(err.message).toBe(
      'node local runs command templates with the command runtime, one workload per instance; ' +
        'replicas: 3 cannot be honoured — create 3 instances instead',
    );
    expect(w.store.instances.list()).toEqual([]);
  });

  it('refuses a template whose default is 3 the same way, and accepts an override of 1', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web', replicas: 3 });
    expect((await refusal(w.instances.create({ template: 'web' }))).details).toEqual({ field: 'replicas' });
    const one = await w.instances.create({ template: 'web', replicas: 1 }, { wait: true });
    expect(w.instances.get(one.id).status).toBe('running');
  });

  it('refuses a scale above 1 and keeps the count', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    expect((await refusal(w.instances.scale(inst.id, 2))).details).toEqual({ field: 'replicas' });
    expect(w.instances.get(inst.id).replicas).toBeUndefined();
  });

  it('fails the deploy, never runs one silently, when the template asks for more after the create', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web', start: false });
    w.template({ name: 'web', replicas: 2 });
    await w.instances.start(inst.id, { wait: true }).catch(() => undefined);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error' });
    expect(w.instances.get(inst.id).errorMessage).toMatch(/replicas: 2 cannot be honoured/);
    expect(deploysOf(w)).toEqual([]);
  });
});

describe('replicas on a runtime that scales', () => {
  it('deploys the instance’s own count and keeps what the runtime reports beside the status', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web', replicas: 3 });
    const inst = await w.instances.create({ template: 'web', replicas: 2 }, { wait: true });
    const got = w.instances.get(inst.id);
    expect(got).toMatchObject({ status: 'running', replicas: 2 });
    expect(got.observedReplicas).toMatchObject({ desired: 2, running: 2 });
    expect(got.observedReplicas?.items.map((r) => r.node)).toEqual(['node-1', 'node-2']);
  });

  it('a tick records a replica lost and back, with an event each time, writing nothing while nothing changes', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web', replicas: 2 });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    w.runtime.setRunningReplicas(inst.id, 1);
    await w.reconciler.tick();
    const degraded = w.instances.get(inst.id);
    expect(degraded.observedReplicas).toMatchObject({ desired: 2, running: 1 });
    expect(degraded.observedReplicas?.items[1]).toEqual({
      node: 'node-2',
      state: 'failed',
      message: 'node lost',
    });
    await w.reconciler.tick();
    expect(w.instances.get(inst.id).updatedAt).toBe(degraded.updatedAt);
    w.runtime.setRunningReplicas(inst.id, 2);
    await w.reconciler.tick();
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ running: 2 });
    const told = w.events.filter((e) => e.type === 'instance.replicas').map((e) => [e.message, e.data]);
    expect(told).toEqual([
      ['running 1/2: node-2 failed (node lost)', { from: 2, to: 1 }],
      ['running 2/2', { from: 1, to: 2 }],
    ]);
  });

  it('scale changes the count of the running workload in place, never stopping it; the same count changes nothing', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ desired: 1, running: 1 });
    const handle = w.instances.get(inst.id).currentDeploymentId;
    const before = [...w.runtime.calls];
    const statuses = () => w.events.filter((e) => e.type === 'instance.status').length;
    const statusesBefore = statuses();
    await w.instances.scale(inst.name, 3, { wait: true });
    const scaled = w.instances.get(inst.id);
    expect(scaled).toMatchObject({ replicas: 3, status: 'running', currentDeploymentId: handle });
    expect(scaled.observedReplicas).toMatchObject({ desired: 3, running: 3 });
    expect(w.events.some((e) => e.type === 'instance.config' && e.message === 'replicas 1 → 3')).toBe(true);
    // One call, a scale of the same workload: no stop, no deploy, no status change on the way.
    expect(w.runtime.calls.slice(before.length)).toEqual([expect.stringMatching(/^scale \S+ 3$/)]);
    expect(statuses()).toBe(statusesBefore);
    await w.instances.scale(inst.id, 3, { wait: true });
    await w.instances.scale(inst.id, 1, { wait: true });
    expect(w.runtime.calls.slice(before.length).filter((c) => !c.startsWith('scale'))).toEqual([]);
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ desired: 1, running: 1 });
  });

  it('a runtime that scales only by redeploying restarts a running instance with the new count', async () => {
    w = await reconcilerWorld({ scales: true, scalesInPlace: false });
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    await w.instances.scale(inst.id, 2, { wait: true });
    expect(w.runtime.calls.filter((c) => /^(stop|deploy)/.test(c)).map((c) => c.split(' ')[0])).toEqual([
      'deploy',
      'stop',
      'deploy',
    ]);
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ desired: 2, running: 2 });
  });

  it('a scale waits for a deploy in flight (it does not cancel it), then scales what that deploy started', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web' });
    const release = w.runtime.holdNextDeploy();
    const inst = await w.instances.create({ template: 'web' });
    const scaled = w.instances.scale(inst.id, 2, { wait: true });
    release();
    await scaled;
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', replicas: 2 });
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ desired: 2, running: 2 });
  });

  it('scale of a stopped instance stores the count for its next start', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web', start: false });
    await w.instances.scale(inst.id, 2, { wait: true });
    expect(deploysOf(w)).toEqual([]);
    await w.instances.start(inst.id, { wait: true });
    expect(w.instances.get(inst.id).observedReplicas).toMatchObject({ desired: 2, running: 2 });
  });

  it('refuses a count that is not a whole number from 1, naming replicas', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web' });
    for (const n of [0, -1, 1.5]) {
      expect((await refusal(w.instances.create({ template: 'web', replicas: n }))).details).toEqual({
        field: 'replicas',
      });
    }
    const inst = await w.instances.create({ template: 'web', start: false });
    expect((await refusal(w.instances.scale(inst.id, 0))).details).toEqual({ field: 'replicas' });
  });
});

describe('replicas on a runtime that scales only some templates (Runtime.scaleRefusal)', () => {
  const why = 'service web publishes host port 8080';

  it('refuses a create and a scale with the runtime’s reason, naming replicas; 1 replica still runs', async () => {
    w = await reconcilerWorld({ scales: true, scaleRefusal: why });
    w.template({ name: 'web' });
    const err = await refusal(w.instances.create({ template: 'web', replicas: 2 }));
    expect(err.details).toEqual({ field: 'replicas' });
    expect(err.message).toBe(`node local cannot run template web with replicas: 2: ${why}`);
    expect(w.store.instances.list()).toEqual([]);
    const one = await w.instances.create({ template: 'web' }, { wait: true });
    expect(w.instances.get(one.id).status).toBe('running');
    expect((await refusal(w.instances.scale(one.id, 3))).message).toMatch(
      /replicas: 3: service web publishes/,
    );
    expect(w.instances.get(one.id).replicas).toBeUndefined();
  });

  it('fails the deploy, never runs fewer silently, when the template asks for more after the create', async () => {
    w = await reconcilerWorld({ scales: true, scaleRefusal: why });
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web', start: false });
    w.template({ name: 'web', replicas: 2 });
    await w.instances.start(inst.id, { wait: true }).catch(() => undefined);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error' });
    expect(w.instances.get(inst.id).errorMessage).toContain(why);
    expect(deploysOf(w)).toEqual([]);
  });
});
