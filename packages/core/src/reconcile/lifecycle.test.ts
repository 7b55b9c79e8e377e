import { assertTransition, StorageUnavailable } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({ name: 'web', ports: [{ name: 'http', env: 'PORT', range: [20100, 20199] }] });
});
afterEach(() => w.close());

const create = (name = 'web-1') => w.instances.create({ template: 'web', name }, { wait: true });

describe('reconciler lifecycle (ScriptedRuntime, ManualClock, in-memory store)', () => {
  it('deploys: pending → deploying → running, the deployment recorded with its handle and port', async () => {
    const inst = await create();
    expect(w.statuses(inst.id)).toEqual(['deploying', 'running']);
    expect(inst.status).toBe('running');
    const dep = w.store.deployments.find(inst.currentDeploymentId!);
    expect(dep).toMatchObject({ status: 'running', handle: { runtime: 'command' } });
    expect(dep!.ports.http).toBeGreaterThanOrEqual(20100);
    expect(w.runtime.workloadsOf(inst.id).map((x) => x.running)).toEqual([true]);
  });

  it('stops: running → stopping → stopped, the deployment closed with the exit code', async () => {
    const inst = await create();
    const stopped = await w.instances.stop(inst.name, { wait: true });
    expect(w.statuses(inst.id)).toEqual(['deploying', 'running', 'stopping', 'stopped']);
    expect(stopped).toMatchObject({ status: 'stopped', lastExitCode: 143 });
    expect(w.store.deployments.find(inst.currentDeploymentId!)).toMatchObject({
      status: 'stopped',
      exitCode: 143,
    });
  });

  it('kills: running → stopped at once', async () => {
    const inst = await create();
    await w.instances.kill(inst.name);
    expect(w.statuses(inst.id).slice(-1)).toEqual(['stopped']);
    expect(w.runtime.calls.filter((c) => c.startsWith('kill'))).toHaveLength(1);
  });

  it('restarts: stopping → stopped → deploying → running on the same port', async () => {
    const inst = await create();
    const port = w.store.deployments.find(inst.currentDeploymentId!)!.ports.http;
    const after = await w.instances.restart(inst.name, { wait: true });
    expect(w.statuses(inst.id)).toEqual([
      'deploying',
      'running',
      'stopping',
      'stopped',
      'deploying',
      'running',
    ]);
    expect(w.store.deployments.find(after.currentDeploymentId!)!.ports.http).toBe(port);
  });

  it('a stop that failed half-way leaves stopping, from which a start deploys: stopping → deploying', async () => {
    const inst = await create();
    w.runtime.failNextStop(new Error('stop timed out'), { ended: true });
    await expect(w.instances.stop(inst.name, { wait: true })).rejects.toThrow('stop timed out');
    expect(w.instances.get(inst.id).status).toBe('stopping');
    const started = await w.instances.start(inst.name, { wait: true });
    expect(started.status).toBe('running');
    expect(w.statuses(inst.id).slice(-3)).toEqual(['stopping', 'deploying', 'running']);
  });

  it('a failed deploy is error with the reason; a start clears it and deploys again', async () => {
    w.runtime.failNextDeploy(new Error('app crashed at start'));
    await expect(create()).rejects.toThrow('app crashed at start');
    const failed = w.instances.get('web-1');
    expect(failed).toMatchObject({ status: 'error', errorMessage: 'app crashed at start' });
    await w.reconciler.enqueue(failed.id); // a converge leaves a given-up error alone
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
    const started = await w.instances.start('web-1', { wait: true });
    expect(started).toMatchObject({ status: 'running', errorMessage: null });
  });

  it('a stop while the deploy waits cancels it: deploying → stopped, the deploy answers CANCELLED', async () => {
    w.runtime.holdNextDeploy();
    const inst = await w.instances.create({ template: 'web', name: 'web-1', start: false });
    w.store.instances.update(inst.id, { desiredState: 'running' });
    const deploying = w.reconciler.enqueue(inst.id);
    await w.clock.advance(0);
    expect(w.instances.get(inst.id).status).toBe('deploying');
    await w.instances.stop(inst.id);
    await expect(deploying).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(w.instances.get(inst.id).status).toBe('stopped');
  });

  it('a deployment that cannot be recorded stops the action before anything runs', async () => {
    const real = w.store.deployments;
    const full = () => {
      throw new StorageUnavailable('the disk is full', { full: true });
    };
    const failing = new Proxy(real, { get: (t, k) => (k === 'insert' ? full : Reflect.get(t, k)) });
    Object.defineProperty(w.store, 'deployments', { value: failing, configurable: true });
    await expect(create()).rejects.toBeInstanceOf(StorageUnavailable);
    Object.defineProperty(w.store, 'deployments', { value: real, configurable: true });
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toEqual([]);
    expect(w.instances.get('web-1').status).toBe('error');
  });

  it('a deleted template fails the deploy as NOT_FOUND, recorded as error', async () => {
    const inst = await w.instances.create({ template: 'web', name: 'web-1', start: false });
    w.store.templates.delete('web');
    w.store.instances.update(inst.id, { desiredState: 'running' });
    await expect(w.reconciler.enqueue(inst.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error' });
    expect(w.runtime.calls).toEqual([]);
  });

  it('the transition table refuses what no path does', () => {
    expect(() => assertTransition('running', 'pending')).toThrow(/cannot go from running to pending/);
    expect(() => assertTransition('stopped', 'pending')).toThrow();
    for (const to of ['error', 'unreachable'] as const)
      expect(() => assertTransition('pending', to)).not.toThrow();
  });
});
