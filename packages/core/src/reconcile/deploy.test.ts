import { StorageUnavailable } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({
    name: 'web',
    ports: [
      { name: 'http', env: 'PORT', range: [21200, 21299] },
      { name: 'admin', http: false, range: [21300, 21399] },
    ],
    readiness: { kind: 'port', port: 'http', timeoutSeconds: 5 },
  });
});
afterEach(() => w.close());

const idle = () => w.instances.create({ template: 'web', name: 'web-1', start: false });
const current = (id: string) => w.store.deployments.find(w.instances.get(id).currentDeploymentId!)!;
const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;

describe('deploy: success', () => {
  it('records the deployment with its handle, ports, link and start time; the instance runs', async () => {
    const inst = await idle();
    const leased = w.instances.ports(inst.id);
    await w.clock.advance(2_000);
    const started = await w.instances.start(inst.id, { wait: true });
    expect(started).toMatchObject({ status: 'running', errorMessage: null, health: null });
    const dep = current(inst.id);
    expect(dep).toMatchObject({
      instanceId: inst.id,
      node: 'local',
      runtime: 'command',
      status: 'running',
      ports: leased,
      url: `http://127.0.0.1:${leased.http}/`,
      startedAt: w.clock.now(),
      stoppedAt: null,
      error: null,
    });
    expect(dep.handle?.id).toBe(w.runtime.workloadsOf(inst.id)[0]?.handle.id);
  });

  it('a template with a health check starts out `starting`', async () => {
    w.template({
      name: 'checked',
      ports: [{ name: 'http', range: [21400, 21499] }],
      health: { http: { port: 'http' } },
    });
    const inst = await w.instances.create({ template: 'checked', name: 'c-1' }, { wait: true });
    expect(inst.health).toBe('starting');
  });

  it('says "started" for a workload without a readiness check, "deployed and ready" after one passed', async () => {
    w.template({ name: 'worker', ports: [] });
    const worker = await w.instances.create({ template: 'worker', name: 'worker-1' }, { wait: true });
    const web = await w.instances.create({ template: 'web', name: 'web-2' }, { wait: true });
    const running = (id: string) =>
      w.events.find((e) => e.type === 'instance.status' && e.instanceId === id && e.data.to === 'running');
    expect(running(worker.id)?.message).toBe('started');
    expect(running(web.id)?.message).toBe('deployed and ready');
  });

  it('every deploy is a new deployment; the old ones stay as history', async () => {
    const inst = await idle();
    await w.instances.start(inst.id, { wait: true });
    const first = w.instances.get(inst.id).currentDeploymentId;
    await w.instances.restart(inst.id, { wait: true });
    const second = w.instances.get(inst.id).currentDeploymentId;
    expect(second).not.toBe(first);
    const history = w.instances.deployments(inst.id);
    expect(history.map((d) => d.id).sort()).toEqual([first, second].sort());
    expect(history.find((d) => d.id === first)).toMatchObject({ status: 'stopped', exitCode: 143 });
  });
});

describe('deploy: failure', () => {
  it('closes the deployment as error with the reason and records the instance as error', async () => {
    const inst = await idle();
    w.runtime.failNextDeploy(new Error('exec format error\n    at spawn (internal)'));
    await expect(w.instances.start(inst.id, { wait: true })).rejects.toThrow('exec format error');
    const failed = w.instances.get(inst.id);
    expect(failed).toMatchObject({ status: 'error', errorMessage: 'exec format error' });
    expect(current(inst.id)).toMatchObject({
      status: 'error',
      error: 'exec format error',
      stoppedAt: w.clock.now(),
      handle: null,
    });
    const event = w.events.find((e) => e.type === 'instance.status' && e.data.to === 'error');
    expect(event?.message).toBe('deploy failed: exec format error');
  });

  it('keeps the ports it leased, so the next start gets the same ones', async () => {
    const inst = await idle();
    const leased = w.instances.ports(inst.id);
    w.runtime.failNextDeploy(new Error('boom'));
    await w.instances.start(inst.id, { wait: true }).catch(() => undefined);
    expect(w.instances.ports(inst.id)).toEqual(leased);
    await w.instances.start(inst.id, { wait: true });
    expect(current(inst.id).ports).toEqual(leased);
  });

  it('a workload whose deployment cannot be recorded is stopped and removed, and the deploy fails', async () => {
    const inst = await idle();
    const real = w.store.deployments;
    let failures = 1;
    const update = (...args: Parameters<typeof real.update>) => {
      if (args[1].status === 'running' && failures-- > 0)
        throw new StorageUnavailable('the disk is full', { full: true });
      return real.update(...args);
    };
    const failing = new Proxy(real, { get: (t, k) => (k === 'update' ? update : Reflect.get(t, k)) });
    Object.defineProperty(w.store, 'deployments', { value: failing, configurable: true });
    await expect(w.instances.start(inst.id, { wait: true })).rejects.toBeInstanceOf(StorageUnavailable);
    Object.defineProperty(w.store, 'deployments', { value: real, configurable: true });
    const [workload] = w.runtime.calls.filter((c) => c.startsWith('kill')).map((c) => c.split(' ')[1]);
    expect(w.runtime.calls).toEqual(['deploy web-1', `kill ${workload}`, `remove ${workload}`]);
    expect(w.runtime.workloadsOf(inst.id)).toEqual([]);
    expect(w.instances.get(inst.id).status).toBe('error');
  });
});

describe('deploy: readiness timeout (on the Clock)', () => {
  it('waits the template’s readiness timeout, then removes the workload and records error', async () => {
    const inst = await idle();
    w.runtime.failNextReadiness();
    const starting = w.instances.start(inst.id, { wait: true }).catch((e: unknown) => e);
    await w.clock.advance(0); // the deploy reaches its wait
    await w.clock.advance(4_999);
    expect(w.instances.get(inst.id).status).toBe('deploying');
    expect(w.runtime.workloadsOf(inst.id).map((x) => x.running)).toEqual([true]);
    await w.clock.advance(1);
    const err = await starting;
    expect(String(err)).toContain('was not ready within 5000 ms');
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error' });
    expect(w.instances.get(inst.id).errorMessage).toContain('not ready within 5000 ms');
    expect(w.runtime.workloadsOf(inst.id)).toEqual([]);
    expect(current(inst.id).status).toBe('error');
  });

  it('a stop during the wait cancels it at once: stopped, not error, and nothing left running', async () => {
    const inst = await idle();
    w.runtime.failNextReadiness();
    const starting = w.instances.start(inst.id, { wait: true }).catch((e: unknown) => e);
    await w.clock.advance(1_000);
    await w.instances.stop(inst.id, { wait: true });
    expect(await starting).toMatchObject({ code: 'CANCELLED' });
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'stopped', errorMessage: null });
    expect(w.runtime.workloadsOf(inst.id).filter((x) => x.running)).toEqual([]);
    expect(w.statuses(inst.id)).toEqual(['deploying', 'stopped']);
  });

  it('a deploy that fails readiness is not retried by the restart policy: it waits for a start', async () => {
    w.template({
      name: 'retrying',
      ports: [{ name: 'http', range: [21500, 21599] }],
      readiness: { kind: 'port', port: 'http', timeoutSeconds: 2 },
      restart: { policy: 'always', backoffSeconds: 1 },
    });
    w.runtime.failNextReadiness();
    const creating = w.instances
      .create({ template: 'retrying', name: 'r-1' }, { wait: true })
      .catch(() => null);
    await w.clock.advance(0);
    await w.clock.advance(2_000);
    await creating;
    expect(w.instances.get('r-1')).toMatchObject({ status: 'error', nextRetryAt: null });
    await w.clock.advance(10_000);
    await w.reconciler.tick();
    expect(deploys()).toBe(1); // a deploy that failed is given up until someone starts it again
    await w.instances.start('r-1', { wait: true });
    expect(w.instances.get('r-1').status).toBe('running');
  });
});

describe('deploy: ports', () => {
  it('a lost bind moves the lease: the old port is free again, the new one is the instance’s', async () => {
    const inst = await idle();
    const before = w.instances.ports(inst.id).http!;
    w.runtime.failNextBind('http');
    await w.instances.start(inst.id, { wait: true });
    const after = w.instances.ports(inst.id).http!;
    expect(after).not.toBe(before);
    expect(w.store.leases.find('local', 'tcp', before)).toBeUndefined();
    expect(w.store.leases.find('local', 'tcp', after)?.ownerId).toBe(inst.id);
    expect(current(inst.id).ports.http).toBe(after);
    expect(current(inst.id).ports.admin).toBe(w.instances.ports(inst.id).admin);
  });

  it('a lost bind of one port leaves the other where it was', async () => {
    const inst = await idle();
    const before = w.instances.ports(inst.id);
    w.runtime.failNextBind('admin');
    await w.instances.start(inst.id, { wait: true });
    const after = w.instances.ports(inst.id);
    expect(after.http).toBe(before.http);
    expect(after.admin).not.toBe(before.admin);
    expect(deploys()).toBe(2);
  });
});
