import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../deployment.js';
import type { BerthEvent } from '../event.js';
import { EventBus } from '../event-bus.js';
import type { Instance, InstanceStatus } from '../instance.js';
import { Records } from './records.js';

let store: SqliteStore;
let clock: ManualClock;
let events: BerthEvent[];
let records: Records;

beforeEach(async () => {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  const bus = new EventBus(store, clock);
  events = [];
  bus.subscribe((e) => events.push(e));
  records = new Records({ store, events: bus, clock });
});
afterEach(() => store.close());

function instance(status: InstanceStatus, extra: Partial<Instance> = {}): Instance {
  const inst: Instance = {
    id: 'i1',
    name: 'web-1',
    template: 'web',
    node: 'local',
    config: {},
    portOverrides: {},
    desiredState: 'running',
    status,
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: '/d/web-1',
    createdAt: clock.now(),
    updatedAt: clock.now(),
    ...extra,
  };
  store.instances.insert(inst);
  return inst;
}

function deployment(extra: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd1',
    instanceId: 'i1',
    node: 'local',
    runtime: 'command',
    handle: { runtime: 'command', id: 'h1', meta: {} },
    ports: { http: 21000 },
    url: null,
    status: 'running',
    startedAt: clock.now(),
    stoppedAt: null,
    exitCode: null,
    error: null,
    createdAt: clock.now(),
    ...extra,
  };
}

describe('Records.status: the one writer of status', () => {
  it('writes the status with its fields and the time, and tells subscribers once with from/to', async () => {
    const inst = instance('pending');
    await clock.advance(5_000);
    const out = records.status(inst, 'deploying', 'start requested', { errorMessage: null });
    expect(out).toMatchObject({ status: 'deploying', updatedAt: clock.now() });
    expect(store.instances.find('i1')?.status).toBe('deploying');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'instance.status',
      instanceId: 'i1',
      instanceName: 'web-1',
      message: 'start requested',
      data: { from: 'pending', to: 'deploying' },
    });
    expect(store.events.list({ instanceId: 'i1' })).toHaveLength(1);
  });

  it('an illegal move throws INVALID_TRANSITION and writes nothing, tells no one', () => {
    const inst = instance('stopped', { errorMessage: 'kept' });
    expect(() => records.status(inst, 'pending', 'no path does this', { errorMessage: null })).toThrow(
      /cannot go from stopped to pending/,
    );
    expect(store.instances.find('i1')).toMatchObject({ status: 'stopped', errorMessage: 'kept' });
    expect(events).toEqual([]);
  });

  it('the same status again writes the fields without an event', () => {
    const inst = instance('running');
    records.status(inst, 'running', 'found running', { errorMessage: null, restartCount: 2 });
    expect(store.instances.find('i1')).toMatchObject({ status: 'running', restartCount: 2 });
    expect(events).toEqual([]);
  });
});

describe('Records: other writes', () => {
  it('patch writes fields but never the status, without an event', () => {
    instance('running');
    records.patch('i1', { restartCount: 3, nextRetryAt: 42 });
    expect(store.instances.find('i1')).toMatchObject({ status: 'running', restartCount: 3, nextRetryAt: 42 });
    expect(events).toEqual([]);
  });

  it('clearError turns a given-up error into stopped quietly; any other status only takes the patch', () => {
    const failed = instance('error', { errorMessage: 'gave up after 3 restarts' });
    const cleared = records.clearError(failed, { desiredState: 'running' });
    expect(cleared).toMatchObject({ status: 'stopped', errorMessage: null, desiredState: 'running' });
    expect(events).toEqual([]);
    const again = records.clearError(cleared, { restartCount: 0 });
    expect(again.status).toBe('stopped');
  });

  it('health records the change with the failure count', () => {
    const inst = instance('running', { health: 'healthy' });
    const out = records.health(inst, 'unhealthy', 'unhealthy: HTTP 500', 3);
    expect(out.health).toBe('unhealthy');
    expect(events[0]).toMatchObject({
      type: 'instance.health',
      data: { from: 'healthy', to: 'unhealthy', failures: 3 },
    });
  });

  it('a moved port says from, to and who took it', () => {
    const inst = instance('deploying');
    records.portMoved(inst, { name: 'http', from: 21000, to: 21001, usedBy: 'process nginx (pid 7)' });
    expect(events[0]).toMatchObject({
      type: 'instance.ports',
      message: 'port http moved from 21000 to 21001: 21000 is in use by process nginx (pid 7)',
      data: { name: 'http', from: 21000, to: 21001 },
    });
  });
});

describe('Records: deployments', () => {
  it('records a deployment as the current one in one transaction', () => {
    instance('deploying');
    records.recordDeployment(deployment());
    expect(store.instances.find('i1')?.currentDeploymentId).toBe('d1');
    expect(store.deployments.find('d1')?.status).toBe('running');
  });

  it('a deployment that cannot be written leaves the instance pointing at its old one', () => {
    instance('deploying');
    records.recordDeployment(deployment());
    expect(() => records.recordDeployment(deployment())).toThrow(); // same id twice
    expect(store.instances.find('i1')?.currentDeploymentId).toBe('d1');
  });

  it('finishes a deployment once: a closed one keeps its first exit code and time', async () => {
    instance('running');
    records.recordDeployment(deployment());
    await clock.advance(1_000);
    records.finishDeployment(store.deployments.find('d1'), 143, 'stopped');
    const first = store.deployments.find('d1')!;
    expect(first).toMatchObject({ status: 'stopped', exitCode: 143, stoppedAt: clock.now(), error: null });
    await clock.advance(1_000);
    records.finishDeployment(first, 1, 'error', 'late');
    expect(store.deployments.find('d1')).toEqual(first);
    records.finishDeployment(undefined, 1, 'error');
  });

  it('attach gives an open deployment the workload found, or records a new current one', () => {
    const inst = instance('deploying');
    records.recordDeployment(deployment({ handle: null, status: 'deploying', startedAt: null }));
    const seen = {
      handle: { runtime: 'command', id: 'found-1', meta: {} },
      running: true,
      pid: 7,
      exitCode: null,
      startedAt: 123,
      ports: { http: 21005 },
      instanceId: 'i1',
      instanceName: 'web-1',
      owner: 'o',
    };
    records.attach(inst, store.deployments.find('d1'), 'command', seen, 'd2');
    expect(store.deployments.find('d1')).toMatchObject({
      handle: { id: 'found-1' },
      status: 'running',
      startedAt: 123,
    });
    expect(store.deployments.find('d2')).toBeUndefined();

    records.finishDeployment(store.deployments.find('d1'), null, 'error');
    records.attach(
      inst,
      store.deployments.find('d1'),
      'command',
      { ...seen, running: false, exitCode: 3 },
      'd3',
    );
    expect(store.instances.find('i1')?.currentDeploymentId).toBe('d3');
    expect(store.deployments.find('d3')).toMatchObject({
      handle: { id: 'found-1' },
      status: 'stopped',
      exitCode: 3,
      ports: { http: 21005 },
      runtime: 'command',
    });
  });
});

describe('Records: the tick’s deployment cache', () => {
  /** Counts the store's deployment reads from now on. */
  function counting() {
    let reads = 0;
    const real = store.deployments;
    const find = (id: string) => {
      reads++;
      return real.find(id);
    };
    const spied = new Proxy(real, { get: (t, k) => (k === 'find' ? find : Reflect.get(t, k)) });
    Object.defineProperty(store, 'deployments', { value: spied, configurable: true });
    return () => reads;
  }

  it('reads a deployment once, and again after a write through the records', () => {
    instance('running');
    records.recordDeployment(deployment());
    const reads = counting();
    expect(records.cachedDeployment('d1')?.status).toBe('running');
    expect(records.cachedDeployment('d1')?.status).toBe('running');
    expect(reads()).toBe(1);
    records.updateDeployment('d1', { status: 'stopped' });
    expect(records.cachedDeployment('d1')?.status).toBe('stopped');
    expect(reads()).toBe(2);
    expect(records.cachedDeployment(null)).toBeUndefined();
  });

  it('forgets deployments no instance refers to', () => {
    instance('running');
    records.recordDeployment(deployment());
    records.cachedDeployment('d1');
    const reads = counting();
    records.pruneCache(new Set(['d1']));
    records.cachedDeployment('d1');
    expect(reads()).toBe(0);
    records.pruneCache(new Set());
    records.cachedDeployment('d1');
    expect(reads()).toBe(1);
  });
});
