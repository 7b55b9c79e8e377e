import type { Instance, ListOptions, ObservedWorkload } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;
/** The runtime's list and inspect calls: `list <known ids>` and `inspect <id>`. */
let asked: string[];

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({
    name: 'web',
    ports: [{ name: 'http', range: [21600, 21699] }],
    restart: { policy: 'always', backoffSeconds: 1 },
  });
  asked = [];
  const list = w.runtime.list.bind(w.runtime);
  const inspect = w.runtime.inspect.bind(w.runtime);
  w.runtime.list = (owner: string, opts?: ListOptions) => {
    asked.push(`list ${(opts?.known ?? []).map((h) => h.id).join(',') || '(all)'}`);
    return list(owner);
  };
  w.runtime.inspect = (handle) => {
    asked.push(`inspect ${handle.id}`);
    return inspect(handle);
  };
});
afterEach(() => w.close());

const create = (name: string) => w.instances.create({ template: 'web', name }, { wait: true });
const handleOf = (inst: Instance) =>
  w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!.handle!;
const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;

/** A tick, then the converges it queued. */
async function tick(...ids: string[]) {
  await w.reconciler.tick();
  for (const id of ids) await w.reconciler.enqueue(id);
}

describe('the tick', () => {
  it('asks the runtime once for all its recorded workloads, and queues nothing while they run', async () => {
    const a = await create('web-1');
    const b = await create('web-2');
    asked = [];
    await w.reconciler.tick();
    await w.clock.advance(0);
    expect(asked).toEqual([`list ${handleOf(a).id},${handleOf(b).id}`]);
    expect(w.runtime.calls).toEqual(['deploy web-1', 'deploy web-2']);
  });

  it('notices a workload that exited and converges only that instance', async () => {
    const a = await create('web-1');
    const b = await create('web-2');
    w.runtime.crash(handleOf(a), 3);
    asked = [];
    await tick(a.id);
    expect(asked[0]).toBe(`list ${handleOf(a).id},${handleOf(b).id}`);
    expect(asked).toContain(`inspect ${handleOf(a).id}`);
    expect(asked).not.toContain(`inspect ${handleOf(b).id}`);
    expect(w.instances.get(a.id)).toMatchObject({ status: 'error', lastExitCode: 3 });
    expect(w.instances.get(b.id).status).toBe('running');
  });

  it('a workload running under the recorded handle for another instance is not taken for this one', async () => {
    const a = await create('web-1');
    const list = w.runtime.list;
    w.runtime.list = async (owner: string) =>
      (await list(owner)).map((x): ObservedWorkload => ({ ...x, instanceId: 'someone-else' }));
    await tick(a.id);
    expect(asked).toContain(`inspect ${handleOf(a).id}`);
  });

  it('leaves an instance alone while an action of it runs', async () => {
    const a = await create('web-1');
    const release = w.runtime.holdNextDeploy();
    const restarting = w.instances.restart(a.id, { wait: true });
    await w.clock.advance(0);
    asked = [];
    await w.reconciler.tick();
    expect(asked).toEqual([]);
    release();
    await restarting;
  });

  it('when the runtime cannot list, converges each instance of it, which records it unreachable', async () => {
    const a = await create('web-1');
    w.runtime.setReachable(false);
    await tick(a.id);
    expect(w.instances.get(a.id)).toMatchObject({ status: 'unreachable' });
    expect(w.instances.get(a.id).errorMessage).toContain('not reachable');
  });

  it('does not ask a runtime again while its previous list is still out', async () => {
    const a = await create('web-1');
    const list = w.runtime.list;
    let lists = 0;
    let answer = () => {};
    w.runtime.list = (owner: string) => {
      lists++;
      return new Promise((resolve) => {
        answer = () => resolve(list(owner));
      });
    };
    const first = w.reconciler.tick();
    await w.clock.advance(0);
    await w.reconciler.tick();
    expect(lists).toBe(1);
    answer();
    await first;
    const second = w.reconciler.tick();
    await w.clock.advance(0);
    expect(lists).toBe(2);
    answer();
    await second;
    expect(w.instances.get(a.id).status).toBe('running');
  });

  it('reads each running deployment from the store once, not every tick', async () => {
    await create('web-1');
    await create('web-2');
    const real = w.store.deployments;
    let reads = 0;
    const find = (id: string) => {
      reads++;
      return real.find(id);
    };
    const spied = new Proxy(real, { get: (t, k) => (k === 'find' ? find : Reflect.get(t, k)) });
    Object.defineProperty(w.store, 'deployments', { value: spied, configurable: true });
    for (let i = 0; i < 5; i++) await w.reconciler.tick();
    expect(reads).toBe(2);
  });

  it('after a restart it reads the new deployment, not the cached old one', async () => {
    const a = await create('web-1');
    await w.reconciler.tick();
    await w.instances.restart(a.id, { wait: true });
    asked = [];
    await w.reconciler.tick();
    expect(asked).toEqual([`list ${handleOf(a).id}`]);
    expect(deploys()).toBe(2);
  });

  it('picks up a retry whose timer was lost with the previous berth', async () => {
    const a = await create('web-1');
    w.runtime.crash(handleOf(a), 1);
    await tick(a.id);
    expect(w.instances.get(a.id).nextRetryAt).toBe(w.clock.now() + 1_000);
    const reconciler = await w.restart(); // the retry's timer goes with the old reconciler
    await w.clock.advance(5_000);
    expect(deploys()).toBe(1);
    await reconciler.tick();
    await reconciler.enqueue(a.id);
    expect(deploys()).toBe(2);
    expect(w.instances.get(a.id).status).toBe('running');
  });

  it('does not look at stopped local instances', async () => {
    const a = await create('web-1');
    await w.instances.stop(a.id, { wait: true });
    asked = [];
    await w.reconciler.tick();
    await w.clock.advance(0);
    expect(asked).toEqual([]);
  });

  it('runs on the Clock until the reconciler closes', async () => {
    const a = await create('web-1');
    w.reconciler.startTicking(1_000);
    asked = [];
    await w.clock.advance(3_000);
    expect(asked.filter((c) => c.startsWith('list'))).toHaveLength(3);
    await w.reconciler.close();
    w.runtime.crash(handleOf(a), 1);
    await w.clock.advance(10_000);
    expect(asked.filter((c) => c.startsWith('list'))).toHaveLength(3);
    expect(w.instances.get(a.id).status).toBe('running');
  });
});
