import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Action, ActionQueue } from './action-queue.js';

/** A run function whose actions each wait until the test releases them, logging start and end. */
function gated() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const run = async (id: string, action: Action) => {
    log.push(`start ${id} ${action}`);
    await new Promise<void>((resolve) => gates.set(`${id} ${action}`, resolve));
    log.push(`end ${id} ${action}`);
    if (action === 'kill') throw new Error(`${id} could not be killed`);
  };
  const release = async (key: string) => {
    await flush();
    const gate = gates.get(key);
    if (!gate) throw new Error(`${key} is not running (log: ${log.join(', ')})`);
    gates.delete(key);
    gate();
    await flush();
  };
  return { log, run, release };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('ActionQueue', () => {
  it('runs one action at a time per instance, in the order they were queued', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    const done = [q.enqueue('a', 'converge'), q.enqueue('a', 'restart'), q.enqueue('a', 'destroy')];
    await flush();
    expect(g.log).toEqual(['start a converge']);
    await g.release('a converge');
    expect(g.log).toEqual(['start a converge', 'end a converge', 'start a restart']);
    await g.release('a restart');
    await g.release('a destroy');
    await Promise.all(done);
    expect(g.log).toEqual([
      'start a converge',
      'end a converge',
      'start a restart',
      'end a restart',
      'start a destroy',
      'end a destroy',
    ]);
  });

  it('runs different instances side by side', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    const a = q.enqueue('a', 'converge');
    const b = q.enqueue('b', 'converge');
    await flush();
    expect(g.log).toEqual(['start a converge', 'start b converge']);
    await g.release('b converge');
    await b;
    expect(q.busy('a')).toBe(true);
    expect(q.busy('b')).toBe(false);
    await g.release('a converge');
    await a;
  });

  it('an action that fails rejects its own caller only; the next one still runs', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    const killed = q.enqueue('a', 'kill');
    const next = q.enqueue('a', 'converge');
    await g.release('a kill');
    await expect(killed).rejects.toThrow('a could not be killed');
    await g.release('a converge');
    await expect(next).resolves.toBeUndefined();
  });

  it('is busy while anything is queued, and idle once the last action ends', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    expect(q.busy('a')).toBe(false);
    const first = q.enqueue('a', 'converge');
    const second = q.enqueue('a', 'converge');
    await g.release('a converge');
    await first;
    expect(q.busy('a')).toBe(true);
    await g.release('a converge');
    await second;
    await flush();
    expect(q.busy('a')).toBe(false);
  });

  it('a request other than converge aborts the deploy in flight; a converge does not', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    const deploying = q.begin('a');
    q.enqueue('a', 'converge');
    expect(deploying.signal.aborted).toBe(false);
    q.enqueue('a', 'restart');
    expect(deploying.signal.aborted).toBe(true);
    expect(String(deploying.signal.reason)).toContain('superseded by a newer request');
    const other = q.begin('b');
    q.abort('a', 'again');
    expect(other.signal.aborted).toBe(false);
  });

  it('end forgets only the controller it is given, so a newer deploy stays abortable', () => {
    const q = new ActionQueue(async () => {});
    const old = q.begin('a');
    const current = q.begin('a');
    q.end('a', old);
    q.abort('a', 'stop requested');
    expect(current.signal.aborted).toBe(true);
    q.end('a', current);
    const later = q.begin('a');
    q.end('a', later);
    q.abort('a', 'nothing in flight');
    expect(later.signal.aborted).toBe(false);
  });

  it('drain waits for every queued action, failed ones included', async () => {
    const g = gated();
    const q = new ActionQueue(g.run);
    q.enqueue('a', 'kill').catch(() => undefined);
    q.enqueue('b', 'converge');
    let drained = false;
    const draining = q.drain().then(() => {
      drained = true;
    });
    await g.release('a kill');
    expect(drained).toBe(false);
    await g.release('b converge');
    await draining;
    expect(drained).toBe(true);
  });
});

describe('the queue inside the reconciler', () => {
  let w: ReconcilerWorld;
  afterEach(() => w.close());

  it('a restart supersedes the deploy in flight: that one is cancelled, then the restart deploys', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web', ports: [{ name: 'http', range: [21100, 21199] }] });
    const inst = await w.instances.create({ template: 'web', name: 'web-1', start: false });
    w.runtime.holdNextDeploy();
    const started = w.instances.start(inst.id, { wait: true }).catch((e: unknown) => e);
    await w.clock.advance(0);
    expect(w.runtime.calls).toEqual(['deploy web-1']);
    await w.instances.restart(inst.id, { wait: true });
    expect(await started).toMatchObject({ code: 'CANCELLED' });
    expect(w.runtime.calls).toEqual(['deploy web-1', 'deploy web-1']);
    expect(w.statuses(inst.id)).toEqual(['deploying', 'stopped', 'deploying', 'running']);
    expect(w.runtime.workloadsOf(inst.id).filter((x) => x.running)).toHaveLength(1);
  });

  it('a kill during a deploy cancels the deploy and leaves nothing running', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web', ports: [{ name: 'http', range: [21100, 21199] }] });
    const inst = await w.instances.create({ template: 'web', name: 'web-1', start: false });
    w.runtime.failNextReadiness();
    const started = w.instances.start(inst.id, { wait: true }).catch((e: unknown) => e);
    await w.clock.advance(0);
    expect(w.runtime.workloadsOf(inst.id).map((x) => x.running)).toEqual([true]);
    await w.instances.kill(inst.id);
    expect(await started).toMatchObject({ code: 'CANCELLED' });
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'stopped', desiredState: 'stopped' });
    expect(w.runtime.workloadsOf(inst.id).filter((x) => x.running)).toEqual([]);
  });

  it('many requests for one instance never deploy two workloads at once', async () => {
    w = await reconcilerWorld();
    w.template({ name: 'web', ports: [{ name: 'http', range: [21100, 21199] }] });
    const inst = await w.instances.create({ template: 'web', name: 'web-1' }, { wait: true });
    await Promise.all([
      w.instances.restart(inst.id, { wait: true }),
      w.instances.restart(inst.id, { wait: true }),
      w.instances.start(inst.id, { wait: true }),
      w.reconciler.enqueue(inst.id),
    ]);
    const live = w.runtime.workloadsOf(inst.id).filter((x) => x.running);
    expect(live).toHaveLength(1);
    const dep = w.store.deployments.find(w.instances.get(inst.id).currentDeploymentId!);
    expect(live[0]?.handle.id).toBe(dep?.handle?.id);
  });
});
