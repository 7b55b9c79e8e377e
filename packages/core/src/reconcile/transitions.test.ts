import type { Instance, InstanceStatus } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld, WORLD_OWNER } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * Every transition the table allows, made by the path that needs it: each case drives a real
 * reconciler (ScriptedRuntime, ManualClock, in-memory SQLite) and finds the move among the
 * instance's `instance.status` events. A record "left by berth" is written straight into the store:
 * that is what a berth that died at that moment leaves behind.
 */
let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({
    name: 'svc',
    ports: [{ name: 'http', range: [21000, 21099] }],
    restart: { policy: 'always', backoffSeconds: 1 },
  });
});
afterEach(() => w.close());

/** The instance's status changes, as `from→to`. */
const moves = (id: string) =>
  w.events
    .filter((e) => e.type === 'instance.status' && e.instanceId === id)
    .map((e) => `${e.data.from}→${e.data.to}`);

const running = (name = 'svc-1') => w.instances.create({ template: 'svc', name }, { wait: true });
const idle = (name = 'svc-1') => w.instances.create({ template: 'svc', name, start: false });
const handleOf = (id: string) => w.store.deployments.find(w.instances.get(id).currentDeploymentId!)!.handle!;

/** The record berth left when it died, and the workload found running beside it; then berth starts again. */
async function leftBehind(inst: Instance, status: InstanceStatus, desiredState: 'running' | 'stopped') {
  w.store.instances.update(inst.id, { status, desiredState });
  w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
  const reconciler = await w.restart();
  await reconciler.recover();
  await reconciler.enqueue(inst.id).catch(() => undefined);
}

/** The node becomes unreachable and the tick notices it. */
async function loseNode(id: string) {
  w.runtime.setReachable(false);
  await w.reconciler.enqueue(id);
  expect(w.instances.get(id).status).toBe('unreachable');
}

const cases: [string, () => Promise<string>][] = [
  [
    'pending→deploying',
    async () => {
      const inst = await running();
      return inst.id;
    },
  ],
  [
    'pending→stopped',
    async () => {
      // created to start, then stopped before its deploy ran
      const inst = await idle();
      w.store.instances.update(inst.id, { status: 'pending' });
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'pending→running',
    async () => {
      const inst = await idle();
      w.store.templates.delete('svc');
      await leftBehind(inst, 'pending', 'running');
      return inst.id;
    },
  ],
  [
    'pending→stopping',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'pending', 'stopped');
      return inst.id;
    },
  ],
  [
    'deploying→running',
    async () => {
      const inst = await running();
      return inst.id;
    },
  ],
  [
    'deploying→stopping',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'deploying', 'stopped');
      return inst.id;
    },
  ],
  [
    'deploying→stopped',
    async () => {
      w.runtime.holdNextDeploy();
      const inst = await idle();
      w.store.instances.update(inst.id, { desiredState: 'running' });
      const deploying = w.reconciler.enqueue(inst.id).catch(() => undefined);
      await w.clock.advance(0);
      await w.instances.stop(inst.id, { wait: true });
      await deploying;
      return inst.id;
    },
  ],
  [
    'running→stopping',
    async () => {
      const inst = await running();
      await w.instances.stop(inst.id, { wait: true });
      return inst.id;
    },
  ],
  [
    'running→stopped',
    async () => {
      const inst = await running();
      await w.instances.kill(inst.id);
      return inst.id;
    },
  ],
  [
    'stopping→stopped',
    async () => {
      const inst = await running();
      await w.instances.stop(inst.id, { wait: true });
      return inst.id;
    },
  ],
  [
    'stopping→running',
    async () => {
      // a stop that failed leaving the workload up; a start finds it running
      const inst = await running();
      w.runtime.failNextStop(new Error('stop refused'), { ended: false });
      await w.instances.stop(inst.id, { wait: true }).catch(() => undefined);
      await w.instances.start(inst.id, { wait: true });
      return inst.id;
    },
  ],
  [
    'stopping→deploying',
    async () => {
      const inst = await running();
      w.runtime.failNextStop(new Error('stop timed out'), { ended: true });
      await w.instances.stop(inst.id, { wait: true }).catch(() => undefined);
      await w.instances.start(inst.id, { wait: true });
      return inst.id;
    },
  ],
  [
    'stopped→deploying',
    async () => {
      const inst = await idle();
      await w.instances.start(inst.id, { wait: true });
      return inst.id;
    },
  ],
  [
    'stopped→running',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'stopped', 'running');
      return inst.id;
    },
  ],
  [
    'stopped→stopping',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'stopped', 'stopped');
      return inst.id;
    },
  ],
  [
    'error→deploying',
    async () => {
      const inst = await running();
      w.runtime.crash(handleOf(inst.id), 1);
      await w.reconciler.enqueue(inst.id);
      await w.clock.advance(1_000);
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'error→stopped',
    async () => {
      const inst = await running();
      w.runtime.crash(handleOf(inst.id), 1);
      await w.reconciler.enqueue(inst.id);
      await w.instances.kill(inst.id);
      return inst.id;
    },
  ],
  [
    'error→stopping',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'error', 'stopped');
      return inst.id;
    },
  ],
  [
    'error→running',
    async () => {
      const inst = await idle();
      await leftBehind(inst, 'error', 'running');
      return inst.id;
    },
  ],
  [
    'unreachable→running',
    async () => {
      const inst = await running();
      await loseNode(inst.id);
      w.runtime.setReachable(true);
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'unreachable→stopped',
    async () => {
      const inst = await running();
      await loseNode(inst.id);
      w.store.instances.update(inst.id, { desiredState: 'stopped' });
      w.runtime.crash(handleOf(inst.id), 0);
      w.runtime.setReachable(true);
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'unreachable→deploying',
    async () => {
      const inst = await running();
      await loseNode(inst.id);
      w.runtime.crash(handleOf(inst.id), 137);
      w.runtime.setReachable(true);
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'unreachable→stopping',
    async () => {
      const inst = await running();
      await loseNode(inst.id);
      w.store.instances.update(inst.id, { desiredState: 'stopped' });
      w.runtime.setReachable(true);
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'deploying→error',
    async () => {
      w.runtime.failNextDeploy(new Error('exec format error'));
      const inst = await idle();
      await w.instances.start(inst.id, { wait: true }).catch(() => undefined);
      return inst.id;
    },
  ],
  [
    'running→error',
    async () => {
      const inst = await running();
      w.runtime.crash(handleOf(inst.id), 2);
      await w.reconciler.tick();
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
  [
    'stopped→error',
    async () => {
      // its template deleted while it was stopped; the desired state says run
      const inst = await idle();
      w.store.templates.delete('svc');
      w.store.instances.update(inst.id, { desiredState: 'running' });
      await w.reconciler.enqueue(inst.id).catch(() => undefined);
      return inst.id;
    },
  ],
  [
    'running→unreachable',
    async () => {
      const inst = await running();
      await loseNode(inst.id);
      return inst.id;
    },
  ],
  [
    'stopped→unreachable',
    async () => {
      // a stopped workload on another host is looked at by the tick, so its host going away shows
      w.store.nodes.upsert({
        name: 'far',
        kind: 'docker',
        host: 'far',
        config: {},
        createdAt: w.clock.now(),
      });
      const inst = await w.instances.create({ template: 'svc', name: 'svc-1', node: 'far' }, { wait: true });
      await w.instances.stop(inst.id, { wait: true });
      w.runtime.setReachable(false);
      await w.reconciler.tick();
      await w.reconciler.enqueue(inst.id);
      return inst.id;
    },
  ],
];

describe('every legal transition happens on a real path', () => {
  it.each(cases)('%s', async (move, scenario) => {
    const id = await scenario();
    expect(moves(id)).toContain(move);
  });
});
