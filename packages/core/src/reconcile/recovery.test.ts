import type { Instance } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld, WORLD_OWNER } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({
    name: 'svc',
    ports: [{ name: 'http', range: [20300, 20399] }],
    restart: { policy: 'always' },
  });
});
afterEach(() => w.close());

const create = (name: string) => w.instances.create({ template: 'svc', name }, { wait: true });
const handleOf = (inst: Instance) =>
  w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!.handle!;
const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;

describe('recovery after a berth restart', () => {
  it('adopts running workloads by their handle: no new deploy, status kept, an adopted event', async () => {
    const a = await create('svc-1');
    const b = await create('svc-2');
    const reconciler = await w.restart();
    const { adopted, orphans } = await reconciler.recover();
    expect(adopted).toBe(2);
    expect(orphans).toEqual([]);
    expect(deploys()).toBe(2);
    for (const inst of [a, b]) {
      expect(w.instances.get(inst.id)).toMatchObject({
        status: 'running',
        currentDeploymentId: inst.currentDeploymentId,
      });
    }
    expect(w.events.filter((e) => e.type === 'instance.adopted')).toHaveLength(2);
  });

  it("reports workloads of this installation that no record claims as orphans, not another owner's", async () => {
    const inst = await create('svc-1');
    w.runtime.plant({ instanceId: 'gone-instance', owner: WORLD_OWNER });
    w.runtime.plant({ instanceId: null, owner: WORLD_OWNER, running: false });
    w.runtime.plant({ instanceId: 'theirs', owner: 'another-home' });
    const second = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER }); // a duplicate of svc-1
    const reconciler = await w.restart();
    const { orphans } = await reconciler.recover();
    expect(orphans.map((o) => o.instanceId).sort()).toEqual(['gone-instance', inst.id, null].sort());
    expect(orphans.find((o) => o.instanceId === inst.id)?.handle.id).toBe(second.id);
    expect(reconciler.orphans()).toEqual(orphans);
    expect((await reconciler.findOrphans()).map((o) => o.handle.id).sort()).toEqual(
      orphans.map((o) => o.handle.id).sort(),
    );
    for (const o of orphans) await reconciler.removeOrphan(o);
    expect(await reconciler.findOrphans()).toEqual([]);
    expect(w.instances.get(inst.id).status).toBe('running');
  });

  it('attaches a workload whose start was never recorded and makes it running once ready', async () => {
    const inst = await w.instances.create({ template: 'svc', name: 'svc-1', start: false });
    // berth died after the runtime started the workload, before it recorded the deployment
    w.store.instances.update(inst.id, { desiredState: 'running', status: 'pending' });
    const found = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    const reconciler = await w.restart();
    expect((await reconciler.recover()).adopted).toBe(1);
    await reconciler.enqueue(inst.id);
    const after = w.instances.get(inst.id);
    expect(after.status).toBe('running');
    expect(w.store.deployments.find(after.currentDeploymentId!)?.handle?.id).toBe(found.id);
    expect(w.statuses(inst.id)).toEqual(['deploying', 'running']);
    expect(deploys()).toBe(0);
  });

  it('an adopted workload that never becomes ready is removed and the instance is error', async () => {
    const inst = await w.instances.create({ template: 'svc', name: 'svc-1', start: false });
    w.store.instances.update(inst.id, { desiredState: 'running', status: 'deploying' });
    const found = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    w.runtime.adoptedReadiness = new Error('svc-1 did not answer on its port');
    const reconciler = await w.restart();
    await reconciler.recover();
    await reconciler.enqueue(inst.id).catch(() => undefined);
    expect(w.instances.get(inst.id)).toMatchObject({
      status: 'error',
      errorMessage: 'svc-1 did not answer on its port',
    });
    expect(w.runtime.calls).toEqual([`kill ${found.id}`, `remove ${found.id}`]);
  });

  it('a workload found running for an instance recorded stopped is stopped: stopped → stopping → stopped', async () => {
    const inst = await w.instances.create({ template: 'svc', name: 'svc-1', start: false });
    const found = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    const reconciler = await w.restart();
    await reconciler.recover();
    expect(w.statuses(inst.id)).toEqual(['stopping', 'stopped']);
    expect(w.runtime.calls).toEqual([`stop ${found.id}`]);
  });

  it('a workload found mid-deploy whose template is gone is recorded running: pending → running', async () => {
    const inst = await w.instances.create({ template: 'svc', name: 'svc-1', start: false });
    w.store.instances.update(inst.id, { desiredState: 'running', status: 'pending' });
    w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    w.store.templates.delete('svc');
    const reconciler = await w.restart();
    await reconciler.recover();
    await reconciler.enqueue(inst.id);
    expect(w.statuses(inst.id)).toEqual(['running']);
  });

  it('a workload that stopped while berth was down is restarted by its policy', async () => {
    const inst = await create('svc-1');
    w.runtime.crash(handleOf(inst), 1);
    const reconciler = await w.restart();
    await reconciler.recover();
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', restartCount: 1 });
    await w.clock.advance(1_000);
    await reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
    expect(deploys()).toBe(2);
  });
});

describe('an engine that goes away', () => {
  it('marks the instance unreachable, then running again when it answers, deploying nothing', async () => {
    const inst = await create('svc-1');
    w.runtime.setReachable(false);
    await w.reconciler.tick();
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'unreachable' });
    w.runtime.setReachable(true);
    await w.reconciler.tick();
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', errorMessage: null });
    expect(deploys()).toBe(1);
  });

  it('a workload the outage stopped is started again at once, spending no restart attempt', async () => {
    const inst = await create('svc-1');
    w.runtime.setReachable(false);
    await w.reconciler.enqueue(inst.id);
    w.runtime.crash(handleOf(inst), 0);
    w.runtime.setReachable(true);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', restartCount: 0 });
    expect(deploys()).toBe(2);
    expect(w.statuses(inst.id).slice(-3)).toEqual(['unreachable', 'deploying', 'running']);
  });
});
