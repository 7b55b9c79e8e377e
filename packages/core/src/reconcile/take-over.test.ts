import { type AdoptAs, Conflict, type NamedWorkload, NotAllowed } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld, WORLD_OWNER } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({ name: 'svc', ports: [{ name: 'http', range: [24600, 24699] }] });
});
afterEach(() => w.close());

const OLD_PORT = 24650;

/**
 * fake-foreign: the contract's optional findByName/adopt on the scripted runtime, for a workload
 * another system started (as DockerRuntime answers for a container without berth's labels).
 * `gone` makes it stop between the find and the take-over.
 */
function foreign(fields: Partial<NamedWorkload> = {}, opts: { gone?: boolean } = {}): NamedWorkload {
  const found: NamedWorkload = {
    ref: 'old-container-id',
    name: 'svc_instance_1',
    running: true,
    startedAt: 0,
    published: [{ port: OLD_PORT, protocol: 'tcp' }],
    owner: null,
    ...fields,
  };
  Object.assign(w.runtime, {
    findByName: async (name: string) => (name === found.name ? found : undefined),
    adopt: async (_: NamedWorkload, as: AdoptAs) => {
      if (opts.gone) return undefined;
      const handle = w.runtime.plant({
        instanceId: as.instanceId,
        instanceName: as.instanceName,
        owner: as.owner,
      });
      return w.runtime.inspect(handle);
    },
  });
  return found;
}

/** The import's first step: a new stopped instance pinned to the old port. */
const stopped = (name = 'svc-1') =>
  w.instances.create({ template: 'svc', name, ports: { http: OLD_PORT }, start: false });
const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;

describe('taking over a workload another system started', () => {
  it('finds it by name on the node, and not on another node or by another name', async () => {
    const found = foreign();
    expect(await w.reconciler.findNamed('local', 'svc_instance_1')).toEqual({
      runtime: w.runtime.kind,
      workload: found,
    });
    expect(await w.reconciler.findNamed('local', 'other')).toBeUndefined();
    expect(await w.reconciler.findNamed('elsewhere', 'svc_instance_1')).toBeUndefined();
  });

  it('records it running as the instance’s workload on its port, and a tick deploys nothing', async () => {
    const found = foreign();
    const inst = await stopped();
    const after = await w.instances.takeOver(
      inst.id,
      { runtime: w.runtime.kind, workload: found },
      { http: OLD_PORT },
    );
    expect(after).toMatchObject({ status: 'running', desiredState: 'running' });
    expect(w.store.leases.listByOwner(inst.id).map((l) => l.port)).toEqual([OLD_PORT]);
    const dep = w.store.deployments.find(after.currentDeploymentId!)!;
    expect(dep).toMatchObject({ status: 'running', ports: { http: OLD_PORT } });
    expect(w.runtime.workloadsOf(inst.id).map((x) => x.handle.id)).toEqual([dep.handle!.id]);
    await w.reconciler.tick();
    await w.clock.advance(5_000);
    await w.reconciler.tick();
    expect(deploys()).toBe(0);
    expect(w.instances.get(inst.id).status).toBe('running');
    expect(w.statuses(inst.id)).toEqual(['running']);
  });

  it('refuses one carrying a berth marker: leases and records unchanged, the instance stays stopped', async () => {
    const found = foreign({ owner: 'another-home' });
    const inst = await stopped();
    const leases = w.store.leases.listByOwner(inst.id);
    const take = w.instances.takeOver(
      inst.id,
      { runtime: w.runtime.kind, workload: found },
      { http: OLD_PORT },
    );
    await expect(take).rejects.toBeInstanceOf(NotAllowed);
    expect(w.store.leases.listByOwner(inst.id)).toEqual(leases);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'stopped', currentDeploymentId: null });
    // Its own installation's marker too: that one is berth's already.
    const mine = foreign({ owner: WORLD_OWNER });
    await expect(
      w.instances.takeOver(inst.id, { runtime: w.runtime.kind, workload: mine }, { http: OLD_PORT }),
    ).rejects.toBeInstanceOf(NotAllowed);
  });

  it('refuses when the workload stopped since it was found, or another instance leases the port', async () => {
    const gone = foreign({}, { gone: true });
    const inst = await stopped();
    const take = w.instances.takeOver(
      inst.id,
      { runtime: w.runtime.kind, workload: gone },
      { http: OLD_PORT },
    );
    await expect(take).rejects.toBeInstanceOf(Conflict);
    expect(w.instances.get(inst.id).status).toBe('stopped');

    await w.instances.remove(inst.id);
    const holder = await w.instances.create({ template: 'svc', name: 'holder', ports: { http: OLD_PORT } });
    const found = foreign();
    const late = await stopped('svc-2');
    const taken = w.instances.takeOver(
      late.id,
      { runtime: w.runtime.kind, workload: found },
      { http: OLD_PORT },
    );
    await expect(taken).rejects.toThrow(/berth instance holder/);
    expect(w.instances.get(late.id).status).toBe('stopped');
    expect(w.store.leases.listByOwner(holder.id).map((l) => l.port)).toEqual([OLD_PORT]);
  });

  it('refuses an instance that has a workload already', async () => {
    const found = foreign();
    const inst = await stopped();
    await w.instances.takeOver(inst.id, { runtime: w.runtime.kind, workload: found }, { http: OLD_PORT });
    const again = w.instances.takeOver(
      inst.id,
      { runtime: w.runtime.kind, workload: found },
      { http: OLD_PORT },
    );
    await expect(again).rejects.toBeInstanceOf(Conflict);
  });
});
