import { type Instance, Unprocessable } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
});
afterEach(() => w.close());

async function running(restart: Record<string, unknown>): Promise<Instance> {
  w.template({ name: 'app', ports: [{ name: 'http', range: [20200, 20299] }], restart });
  return w.instances.create({ template: 'app', name: 'app-1' }, { wait: true });
}

/** Crashes the instance's current workload and lets the tick notice it. */
async function crash(inst: Instance, exitCode: number | null): Promise<Instance> {
  const fresh = w.instances.get(inst.id);
  w.runtime.crash(w.store.deployments.find(fresh.currentDeploymentId!)!.handle!, exitCode);
  await w.reconciler.tick();
  await w.reconciler.enqueue(inst.id); // waits for the converge the tick queued
  return w.instances.get(inst.id);
}

const deploys = () => w.runtime.calls.filter((c) => c.startsWith('deploy')).length;
const restarts = (id: string) =>
  w.events.filter((e) => e.type === 'instance.restart' && e.instanceId === id).map((e) => e.data);

describe('restart policy (crash → restart by the Clock, backoff, max retries)', () => {
  it('on-failure: a crash is error with a retry at the backoff, deployed again when the Clock reaches it', async () => {
    const inst = await running({ policy: 'on-failure', backoffSeconds: 2, maxRetries: 3 });
    const crashed = await crash(inst, 3);
    expect(crashed).toMatchObject({ status: 'error', restartCount: 1, lastExitCode: 3 });
    expect(crashed.nextRetryAt).toBe(w.clock.now() + 2_000);
    expect(restarts(inst.id)).toEqual([{ attempt: 1, delayMs: 2_000, exitCode: 3 }]);
    await w.clock.advance(1_999);
    expect(deploys()).toBe(1);
    await w.clock.advance(1);
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(2);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', restartCount: 1 });
  });

  it('backs off exponentially up to the cap, then gives up after maxRetries with the reason', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 1, maxBackoffSeconds: 3, maxRetries: 3 });
    for (const delay of [1_000, 2_000, 3_000]) {
      await crash(inst, 1);
      await w.clock.advance(delay);
      await w.reconciler.enqueue(inst.id);
    }
    expect(restarts(inst.id).map((d) => d.delayMs)).toEqual([1_000, 2_000, 3_000]);
    const gaveUp = await crash(inst, 1);
    expect(gaveUp).toMatchObject({ status: 'error', nextRetryAt: null });
    expect(gaveUp.errorMessage).toContain('gave up after 3 restarts');
    await w.clock.advance(60_000);
    await w.reconciler.tick();
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(4);
  });

  it('a workload that exits before it was ready is a crash: the deploy fails as itself, the policy restarts it', async () => {
    w.template({
      name: 'app',
      ports: [{ name: 'http', range: [20200, 20299] }],
      restart: { policy: 'on-failure', backoffSeconds: 2, maxRetries: 2 },
    });
    const exited = () =>
      new Unprocessable('app-1 exited with code 3 before it was ready', {
        code: 'WORKLOAD_EXITED',
        details: { exitCode: 3 },
      });
    w.runtime.failNextDeploy(exited());
    const created = w.instances.create({ template: 'app', name: 'app-1' }, { wait: true });
    await expect(created).rejects.toMatchObject({ code: 'WORKLOAD_EXITED' });
    const inst = w.instances.get('app-1');
    expect(inst).toMatchObject({ status: 'error', restartCount: 1, lastExitCode: 3 });
    expect(inst.nextRetryAt).toBe(w.clock.now() + 2_000);
    expect(inst.errorMessage).toContain(
      'exited with code 3 before it was ready; restarting in 2s (attempt 1 of 2)',
    );
    expect(restarts(inst.id)).toEqual([{ attempt: 1, delayMs: 2_000, exitCode: 3 }]);
    // the retry exits at once too; then the policy's last try runs and stays up
    w.runtime.failNextDeploy(exited());
    await w.clock.advance(2_000);
    await w.reconciler.enqueue(inst.id).catch(() => undefined);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', restartCount: 2 });
    await w.clock.advance(4_000);
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(3);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', restartCount: 2 });
  });

  it('a deploy that fails for another reason (not an exit) is not restarted', async () => {
    w.template({
      name: 'app',
      ports: [{ name: 'http', range: [20200, 20299] }],
      restart: { policy: 'always' },
    });
    w.runtime.failNextDeploy(new Unprocessable('no such command', { code: 'COMMAND_NOT_FOUND' }));
    await expect(w.instances.create({ template: 'app', name: 'app-1' }, { wait: true })).rejects.toThrow();
    expect(w.instances.get('app-1')).toMatchObject({ status: 'error', nextRetryAt: null, restartCount: 0 });
    await w.clock.advance(120_000);
    expect(deploys()).toBe(1);
  });

  it('never: a crash is error and nothing restarts', async () => {
    const inst = await running({ policy: 'never' });
    const crashed = await crash(inst, 1);
    expect(crashed).toMatchObject({ status: 'error', nextRetryAt: null });
    expect(crashed.errorMessage).toContain('the restart policy is never');
    await w.clock.advance(120_000);
    expect(deploys()).toBe(1);
  });

  it('on-failure: a clean exit (code 0) is stopped, its desired state too', async () => {
    const inst = await running({ policy: 'on-failure' });
    const exited = await crash(inst, 0);
    expect(exited).toMatchObject({ status: 'stopped', desiredState: 'stopped', errorMessage: null });
    await w.clock.advance(120_000);
    expect(deploys()).toBe(1);
  });

  it('always: a clean exit restarts too', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 1 });
    expect(await crash(inst, 0)).toMatchObject({ status: 'error', restartCount: 1 });
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
  });

  it('a run as long as resetAfterSeconds sets the attempt count back to 0', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 1, resetAfterSeconds: 30 });
    await crash(inst, 1);
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).restartCount).toBe(1);
    await w.clock.advance(29_000);
    await w.reconciler.tick();
    expect(w.instances.get(inst.id).restartCount).toBe(1);
    await w.clock.advance(1_000);
    await w.reconciler.tick();
    expect(w.instances.get(inst.id).restartCount).toBe(0);
  });

  it('a vanished workload (removed behind berth’s back) counts as an exit of unknown code', async () => {
    const inst = await running({ policy: 'on-failure', backoffSeconds: 1 });
    w.runtime.vanish(w.store.deployments.find(inst.currentDeploymentId!)!.handle!);
    await w.reconciler.tick();
    await w.reconciler.enqueue(inst.id);
    const after = w.instances.get(inst.id);
    expect(after).toMatchObject({ status: 'error', restartCount: 1, lastExitCode: null });
    expect(after.errorMessage).toContain('exited (exit code unknown)');
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id).status).toBe('running');
  });

  it('the tick runs on the Clock: startTicking notices a crash without anyone calling tick()', async () => {
    const inst = await running({ policy: 'never' });
    w.reconciler.startTicking(1_000);
    w.runtime.crash(w.store.deployments.find(inst.currentDeploymentId!)!.handle!, 9);
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', lastExitCode: 9 });
  });
});

describe('a pending retry and the requests that overtake it', () => {
  it('a stop cancels it: nothing is deployed when its time comes', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 5 });
    await crash(inst, 1);
    await w.instances.stop(inst.id, { wait: true });
    // Stopped, not "error … restarting in 5s": no restart comes. The crash stays in lastExitCode.
    expect(w.instances.get(inst.id)).toMatchObject({
      desiredState: 'stopped',
      status: 'stopped',
      nextRetryAt: null,
      errorMessage: null,
      lastExitCode: 1,
    });
    expect(w.events.at(-1)?.message).toMatch(/the pending restart is cancelled/);
    await w.clock.advance(10_000);
    await w.reconciler.tick();
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(1);
  });

  it('a start deploys at once and sets the attempt count back to 0', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 30, maxRetries: 3 });
    await crash(inst, 1);
    const started = await w.instances.start(inst.id, { wait: true });
    expect(started).toMatchObject({
      status: 'running',
      restartCount: 0,
      nextRetryAt: null,
      errorMessage: null,
    });
    expect(deploys()).toBe(2);
    await w.clock.advance(30_000);
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(2);
  });

  it('a start after giving up begins a fresh count of attempts', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 1, maxRetries: 1 });
    await crash(inst, 1);
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect((await crash(inst, 1)).errorMessage).toBe('app-1 exited with code 1; gave up after 1 restart');
    await w.instances.start(inst.id, { wait: true });
    expect(await crash(inst, 1)).toMatchObject({ status: 'error', restartCount: 1 });
    expect(restarts(inst.id).map((d) => d.attempt)).toEqual([1, 1]);
  });

  it('removing the instance cancels it', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 5 });
    await crash(inst, 1);
    await w.instances.remove(inst.id);
    await w.clock.advance(10_000);
    expect(deploys()).toBe(1);
    expect(w.instances.list()).toEqual([]);
  });

  it('closing the reconciler cancels every pending retry', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 5 });
    await crash(inst, 1);
    expect(w.clock.pending).toBeGreaterThan(0);
    await w.reconciler.close();
    expect(w.clock.pending).toBe(0);
    await w.clock.advance(10_000);
    expect(deploys()).toBe(1);
  });

  it('the message says the delay and the attempt out of how many', async () => {
    const inst = await running({ policy: 'always', backoffSeconds: 1.5, maxRetries: 4 });
    const crashed = await crash(inst, 7);
    expect(crashed.errorMessage).toBe('app-1 exited with code 7; restarting in 1.5s (attempt 1 of 4)');
  });
});

describe('a reboot is not a crash', () => {
  it('a workload gone with the machine is started again under policy never, no attempt counted', async () => {
    const inst = await running({ policy: 'never' });
    await w.clock.advance(5_000);
    const handle = w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!.handle!;
    w.runtime.crash(handle, null); // the machine went down with it
    await w.restart({ hostBootedAt: w.clock.now() });
    await w.reconciler.recover();
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(2);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', restartCount: 0 });
  });

  it('gone on the same boot (berth was down, the machine was not) is a crash: never leaves it in error', async () => {
    const booted = w.clock.now();
    const inst = await running({ policy: 'never' });
    await w.clock.advance(5_000);
    const handle = w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!)!.handle!;
    w.runtime.crash(handle, 9);
    await w.restart({ hostBootedAt: booted });
    await w.reconciler.recover();
    await w.reconciler.enqueue(inst.id);
    expect(deploys()).toBe(1);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'error', lastExitCode: 9 });
  });
});
