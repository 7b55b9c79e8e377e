import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BerthEvent } from './event.js';
import { EventBus } from './event-bus.js';

let clock: ManualClock;
let store: SqliteStore;
let bus: EventBus;

beforeEach(async () => {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  bus = new EventBus(store, clock);
});
afterEach(() => store.close());

const event = (message: string, ts?: number) => ({
  type: 'instance.status' as const,
  instanceId: null,
  instanceName: null,
  message,
  data: { n: 1 },
  ...(ts === undefined ? {} : { ts }),
});

describe('EventBus', () => {
  it('stores every event with the Clock’s time and an id, and returns what it stored', async () => {
    await clock.advance(1_500);
    const saved = bus.emit(event('first'));
    expect(saved).toMatchObject({ message: 'first', ts: clock.now(), data: { n: 1 } });
    expect(typeof saved.id).toBe('number');
    expect(store.events.list({})).toEqual([saved]);
  });

  it('keeps a time the event already has', () => {
    expect(bus.emit(event('old', 42)).ts).toBe(42);
  });

  it('tells every subscriber the stored event, in order, until it unsubscribes', () => {
    const seen: BerthEvent[] = [];
    const off = bus.subscribe((e) => seen.push(e));
    const a = bus.emit(event('a'));
    const b = bus.emit(event('b'));
    off();
    bus.emit(event('c'));
    expect(seen).toEqual([a, b]);
    expect(store.events.list({})).toHaveLength(3);
  });

  it('a subscriber that throws neither stops the others nor the emit', () => {
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('socket closed');
    });
    bus.subscribe((e) => seen.push(e.message));
    expect(() => bus.emit(event('still told'))).not.toThrow();
    expect(seen).toEqual(['still told']);
  });

  it('an event the store cannot write reaches no subscriber', () => {
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.message));
    store.close();
    expect(() => bus.emit(event('lost'))).toThrow();
    expect(seen).toEqual([]);
    store = { close: () => {} } as unknown as SqliteStore;
  });
});
