import { type Clock, silentLogger } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { type DeliveryHooks, DeliveryQueue } from './delivery-queue.js';
import type { Notification } from './notification.js';

/** A clock whose timers run on the next turn, keeping the waits they were asked for. */
function recordingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => 0,
    sleep: async () => {},
    setTimeout(fn, ms) {
      waits.push(ms);
      setImmediate(fn);
      return () => {};
    },
    setInterval: () => () => {},
  };
}

const message = (title: string): Notification => ({
  rule: 'test',
  title,
  text: title,
  severity: 'info',
  instance: null,
  ts: 0,
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !ok(); i++) await new Promise((r) => setImmediate(r));
  if (!ok()) throw new Error(`never happened: ${what}`);
}

describe('DeliveryQueue', () => {
  it('retries a failing message with doubling waits up to the cap, then gives up, telling each failure', async () => {
    const clock = recordingClock();
    const failures: [string, boolean][] = [];
    const hooks: DeliveryHooks = {
      send: async () => {
        throw new Error('HTTP 500');
      },
      delivered: () => {},
      failed: (_id, reason, willRetry) => failures.push([reason, willRetry]),
    };
    const queue = new DeliveryQueue(hooks, clock, silentLogger, {
      attempts: 5,
      baseDelayMs: 2_000,
      maxDelayMs: 5_000,
      capacity: 10,
    });
    queue.push('hook', message('one'));
    await until('the fifth attempt', () => failures.length === 5);
    expect(clock.waits).toEqual([2_000, 4_000, 5_000, 5_000]);
    expect(failures.map(([, retry]) => retry)).toEqual([true, true, true, true, false]);
    expect(failures[0]?.[0]).toBe('HTTP 500');
    await until('the lane empties', () => queue.pending('hook') === 0);
  });

  it('push returns before any delivery ends: a receiver that never answers holds up only its own lane', async () => {
    const delivered: string[] = [];
    const hooks: DeliveryHooks = {
      send: (id) => (id === 'stuck' ? new Promise<void>(() => {}) : Promise.resolve()),
      delivered: (id) => delivered.push(id),
      failed: () => {},
    };
    const queue = new DeliveryQueue(hooks, recordingClock(), silentLogger);
    queue.push('stuck', message('a'));
    queue.push('stuck', message('b'));
    queue.push('ok', message('c'));
    await until('the other channel delivers', () => delivered.includes('ok'));
    expect(queue.pending('stuck')).toBe(2);
    expect(delivered).toEqual(['ok']);
    queue.close();
  });

  it('keeps at most its capacity per channel, dropping the oldest', async () => {
    const sent: string[] = [];
    let release: () => void = () => {};
    const hooks: DeliveryHooks = {
      send: async (_id, n) => {
        if (n.title === 'first') await new Promise<void>((r) => (release = r));
        sent.push(n.title);
      },
      delivered: () => {},
      failed: () => {},
    };
    const queue = new DeliveryQueue(hooks, recordingClock(), silentLogger, {
      attempts: 1,
      baseDelayMs: 1,
      maxDelayMs: 1,
      capacity: 2,
    });
    for (const t of ['first', 'second', 'third']) queue.push('hook', message(t));
    release();
    await until('the queue drains', () => queue.pending('hook') === 0);
    expect(sent).toEqual(['first', 'third']);
  });
});
