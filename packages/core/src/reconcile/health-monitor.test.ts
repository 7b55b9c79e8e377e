import type { HealthResult } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;
/** What the next health checks answer, in order; then `ok`. */
let answers: HealthResult[];
const checked: string[] = [];

beforeEach(async () => {
  answers = [];
  checked.length = 0;
  w = await reconcilerWorld({
    health: {
      check: async (target) => {
        checked.push(target.kind);
        return answers.shift() ?? { ok: true, message: 'ok' };
      },
    },
  });
  w.template({
    name: 'web',
    ports: [{ name: 'http', range: [20500, 20599] }],
    health: { http: { port: 'http' }, intervalSeconds: 5, retries: 2 },
    restart: { policy: 'on-failure', backoffSeconds: 1 },
  });
});
afterEach(() => w.close());

/** Moves the Clock to the next check and lets the tick run it. */
async function nextCheck(): Promise<void> {
  await w.clock.advance(5_000);
  await w.reconciler.tick();
  await w.clock.advance(0);
}

describe('health monitor (checks on the tick, results through the restart policy)', () => {
  it('starting → healthy on a passing check, checked once per interval', async () => {
    const inst = await w.instances.create({ template: 'web', name: 'web-1' }, { wait: true });
    expect(inst.health).toBe('starting');
    await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('healthy');
    await w.reconciler.tick();
    await w.clock.advance(0);
    expect(checked).toEqual(['http']);
  });

  it('unhealthy after `retries` failures restarts it (heal) after the backoff, healthy again after', async () => {
    const inst = await w.instances.create({ template: 'web', name: 'web-1' }, { wait: true });
    await nextCheck();
    answers.push({ ok: false, message: 'HTTP 500' }, { ok: false, message: 'HTTP 500' });
    await nextCheck();
    expect(w.instances.get(inst.id).health).toBe('healthy');
    await nextCheck();
    const sick = w.instances.get(inst.id);
    expect(sick).toMatchObject({ health: 'unhealthy', restartCount: 1 });
    expect(sick.errorMessage).toContain('is unhealthy (HTTP 500)');
    const deployed = w.runtime.calls.filter((c) => c.startsWith('deploy')).length;
    await w.clock.advance(1_000);
    await w.reconciler.enqueue(inst.id);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy')).length).toBe(deployed + 1);
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'running', health: 'starting' });
    await nextCheck();
    expect(w.instances.get(inst.id)).toMatchObject({ health: 'healthy', errorMessage: null });
  });
});
