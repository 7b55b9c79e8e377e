import { EventBus } from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore } from '@berth/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BerthMetrics } from './berth-metrics.js';

let store: SqliteStore;
let bus: EventBus;
let metrics: BerthMetrics;

beforeEach(async () => {
  const clock = new ManualClock();
  store = await memoryStore({ clock });
  bus = new EventBus(store, clock);
  metrics = new BerthMetrics();
  metrics.watch(store, () => [], bus);
});
afterEach(() => store.close());

const conflict = (data: Record<string, unknown>) =>
  bus.emit({
    type: 'instance.port-conflict',
    instanceId: null,
    instanceName: 'pinned',
    message: 'port 26010 (http) is in use by nc',
    data,
  });

it('counts port conflicts the reconciler found at a deploy, and those the API refused by route, once each', async () => {
  conflict({ portConflicts: [], during: 'deploy' });
  conflict({ portConflicts: [], during: 'deploy' });
  // The API's refusal is told as an event too; it is counted by its route, not again here.
  conflict({ portConflicts: [] });
  metrics.portConflict('/api/v1/instances/:id/start');
  const text = await metrics.text();
  expect(text).toMatch(/berth_port_conflicts_total\{route="deploy"\} 2\n/);
  expect(text).toMatch(/berth_port_conflicts_total\{route="\/api\/v1\/instances\/:id\/start"\} 1\n/);
});
