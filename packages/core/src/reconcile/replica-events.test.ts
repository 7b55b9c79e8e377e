import type { ClusterEvent, ObservedReplicas } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { replicaChangeMessage, replicaChanges } from './replica-changes.js';

let w: ReconcilerWorld;
afterEach(() => w?.close());

const told = (world: ReconcilerWorld, type: string) =>
  world.events.filter((e) => e.type === type).map((e) => [e.message, e.data]);

describe('per-replica events', () => {
  it('a tick tells each replica that changed, once, and nothing while nothing changes', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web', replicas: 2 });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    await w.reconciler.tick();
    expect(told(w, 'instance.replica')).toEqual([]);
    w.runtime.setRunningReplicas(inst.id, 1);
    await w.reconciler.tick();
    await w.reconciler.tick();
    w.runtime.setRunningReplicas(inst.id, 2);
    await w.reconciler.tick();
    expect(told(w, 'instance.replica')).toEqual([
      [
        'replica 2 on node-2: running → failed (node lost)',
        { replica: '2', node: 'node-2', from: 'running', to: 'failed', reason: 'node lost', lostNode: null },
      ],
      [
        'replica 2 on node-2: failed → running',
        { replica: '2', node: 'node-2', from: 'failed', to: 'running', reason: null, lostNode: null },
      ],
    ]);
  });

  it('a replica whose node went down names the node lost; one rescheduled elsewhere names its new node', () => {
    const before: ObservedReplicas = {
      desired: 2,
      running: 2,
      items: [
        { id: '1', node: 'manager', state: 'running', message: null },
        { id: '2', node: 'worker', state: 'running', message: null },
      ],
    };
    const lost: ObservedReplicas = {
      desired: 2,
      running: 1,
      items: [
        before.items[0]!,
        {
          id: '2',
          node: 'worker',
          state: 'node-down',
          message: 'node worker is down; Swarm reschedules its replica',
        },
      ],
    };
    const back: ObservedReplicas = {
      desired: 2,
      running: 2,
      items: [before.items[0]!, { id: '2', node: 'manager', state: 'running', message: null }],
    };
    expect(replicaChanges(before, lost).map(replicaChangeMessage)).toEqual([
      'replica 2 on worker: running → node-down (node worker lost; node worker is down; Swarm reschedules its replica)',
    ]);
    expect(replicaChanges(lost, back).map(replicaChangeMessage)).toEqual([
      'replica 2 on manager: node-down → running',
    ]);
    expect(replicaChanges(back, { ...back, items: [back.items[0]!] }).map(replicaChangeMessage)).toEqual([
      'replica 2 on manager: gone',
    ]);
  });
});

describe('cluster events', () => {
  const event = (uid: string, at: number, reason = 'BackOff'): ClusterEvent => ({
    uid,
    type: 'Warning',
    reason,
    message: 'Back-off restarting failed container',
    object: 'Pod/web-1-abc',
    at,
  });

  it('each is told once by its uid, whether or not the workload runs; ones from before berth started are not', async () => {
    w = await reconcilerWorld({ scales: true });
    w.template({ name: 'web' });
    const inst = await w.instances.create({ template: 'web' }, { wait: true });
    const start = w.clock.now();
    w.runtime.addClusterEvent(inst.id, event('old', start - 60_000, 'Pulled'));
    w.runtime.addClusterEvent(inst.id, event('a', start));
    await w.reconciler.tick();
    await w.reconciler.tick();
    w.runtime.addClusterEvent(inst.id, event('b', start + 1));
    const dep = w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!);
    w.runtime.crash(dep!.handle!, 1);
    await w.reconciler.tick();
    await w.reconciler.tick();
    expect(told(w, 'instance.cluster').map(([m, d]) => [m, (d as ClusterEvent).uid])).toEqual([
      ['Warning BackOff on Pod/web-1-abc: Back-off restarting failed container', 'a'],
      ['Warning BackOff on Pod/web-1-abc: Back-off restarting failed container', 'b'],
    ]);
  });
});
