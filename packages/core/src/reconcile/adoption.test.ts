import type { Instance } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld, WORLD_OWNER } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
});
afterEach(() => w.close());

function template(restart: Record<string, unknown>) {
  w.template({ name: 'svc', ports: [{ name: 'http', range: [21800, 21899] }], restart });
}
const create = (name = 'svc-1') => w.instances.create({ template: 'svc', name }, { wait: true });
const handleOf = (inst: Instance) =>
  w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!.handle!;
const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;

/** berth stops and starts again over the same store and runtime, and recovers. */
async function berthRestarts() {
  const reconciler = await w.restart();
  const result = await reconciler.recover();
  return { reconciler, ...result };
}

describe('adoption after a berth restart', () => {
  it('a running workload is adopted as it is: same deployment, same ports, nothing deployed', async () => {
    template({ policy: 'always' });
    const inst = await create();
    const ports = w.instances.ports(inst.id);
    const { adopted } = await berthRestarts();
    expect(adopted).toBe(1);
    expect(w.instances.get(inst.id)).toMatchObject({
      status: 'running',
      currentDeploymentId: inst.currentDeploymentId,
    });
    expect(w.instances.ports(inst.id)).toEqual(ports);
    expect(deploys()).toBe(1);
    const e = w.events.find((x) => x.type === 'instance.adopted');
    expect(e?.message).toBe(`adopted command workload ${handleOf(inst).id} after a berth restart`);
  });

  it('a workload gone while berth was down, policy never: error, nothing restarted', async () => {
    template({ policy: 'never' });
    const inst = await create();
    w.runtime.vanish(handleOf(inst));
    const { adopted } = await berthRestarts();
    expect(adopted).toBe(0);
    const after = w.instances.get(inst.id);
    expect(after).toMatchObject({ status: 'error', nextRetryAt: null, lastExitCode: null });
    expect(after.errorMessage).toContain('the restart policy is never');
    await w.clock.advance(60_000);
    expect(deploys()).toBe(1);
  });

  it('a workload gone while berth was down, policy on-failure: restarted after the backoff', async () => {
    template({ policy: 'on-failure', backoffSeconds: 2 });
    const inst = await create();
    w.runtime.vanish(handleOf(inst));
    const { reconciler } = await berthRestarts();
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', restartCount: 1 });
    await w.clock.advance(2_000);
    await reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
    expect(deploys()).toBe(2);
  });

  it('a workload that exited cleanly while berth was down, on-failure: stopped, desired stopped', async () => {
    template({ policy: 'on-failure' });
    const inst = await create();
    w.runtime.crash(handleOf(inst), 0);
    await berthRestarts();
    expect(w.instances.get(inst.id)).toMatchObject({
      status: 'stopped',
      desiredState: 'stopped',
      lastExitCode: 0,
    });
  });

  it('an instance that should be stopped and whose workload is gone is recorded stopped', async () => {
    template({ policy: 'always' });
    const inst = await create();
    w.store.instances.update(inst.id, { desiredState: 'stopped' });
    w.runtime.vanish(handleOf(inst));
    await berthRestarts();
    expect(w.instances.get(inst.id).status).toBe('stopped');
    expect(w.store.deployments.find(inst.currentDeploymentId!)).toMatchObject({ status: 'stopped' });
    expect(deploys()).toBe(1);
  });

  it('its own recorded workload wins over a running duplicate, which is an orphan', async () => {
    template({ policy: 'always', backoffSeconds: 1 });
    const inst = await create();
    const own = handleOf(inst);
    w.runtime.crash(own, 1);
    const duplicate = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    const { orphans, reconciler } = await berthRestarts();
    expect(orphans.map((o) => o.handle.id)).toEqual([duplicate.id]);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', restartCount: 1 });
    await w.clock.advance(1_000);
    await reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
    expect(handleOf(inst).id).not.toBe(duplicate.id);
  });

  it('a node that cannot be listed is skipped; its instances are marked unreachable', async () => {
    template({ policy: 'always' });
    const inst = await create();
    w.runtime.setReachable(false);
    const { adopted, orphans } = await berthRestarts();
    expect({ adopted, orphans }).toEqual({ adopted: 0, orphans: [] });
    expect(w.instances.get(inst.id).status).toBe('unreachable');
    w.runtime.setReachable(true);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
    expect(deploys()).toBe(1);
  });
});

describe('orphans', () => {
  beforeEach(() => template({ policy: 'always' }));

  it('removes only workloads with this installation’s labels; another owner’s are never touched', async () => {
    const theirs = w.runtime.plant({ instanceId: 'their-instance', owner: 'another-home' });
    const mineRunning = w.runtime.plant({ instanceId: 'gone-1', owner: WORLD_OWNER });
    const mineStopped = w.runtime.plant({ instanceId: 'gone-2', owner: WORLD_OWNER, running: false });
    const { orphans, reconciler } = await berthRestarts();
    expect(orphans.map((o) => [o.handle.id, o.running, o.node, o.runtime])).toEqual(
      expect.arrayContaining([
        [mineRunning.id, true, 'local', 'command'],
        [mineStopped.id, false, 'local', 'command'],
      ]),
    );
    expect(orphans).toHaveLength(2);
    for (const o of await reconciler.findOrphans()) await reconciler.removeOrphan(o);
    expect(w.runtime.calls).toEqual([
      `kill ${mineRunning.id}`,
      `remove ${mineRunning.id}`,
      `remove ${mineStopped.id}`,
    ]);
    expect(w.runtime.calls.join(' ')).not.toContain(theirs.id);
    expect(w.runtime.workloadsOf('their-instance').map((x) => x.running)).toEqual([true]);
  });

  it('a workload of an instance removed while berth was down becomes an orphan, not a new instance', async () => {
    const inst = await create();
    const handle = handleOf(inst);
    w.store.instances.delete(inst.id);
    const { orphans, adopted } = await berthRestarts();
    expect(adopted).toBe(0);
    expect(orphans.map((o) => [o.handle.id, o.instanceId, o.instanceName])).toEqual([
      [handle.id, inst.id, inst.name],
    ]);
    expect(w.instances.list()).toEqual([]);
  });

  it('findOrphans sees one planted after recovery; the instance’s own workload is never one', async () => {
    const inst = await create();
    const { reconciler } = await berthRestarts();
    expect(await reconciler.findOrphans()).toEqual([]);
    const later = w.runtime.plant({ instanceId: inst.id, owner: WORLD_OWNER });
    expect((await reconciler.findOrphans()).map((o) => o.handle.id)).toEqual([later.id]);
    expect(reconciler.orphans().map((o) => o.handle.id)).toEqual([later.id]);
  });
});
