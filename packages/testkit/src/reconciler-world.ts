import {
  type BerthEvent,
  defaultLedgerConfig,
  EventBus,
  type HealthProbe,
  InstanceService,
  NotFound,
  PortLedger,
  Reconciler,
  type Runtime,
  type RuntimeResolver,
  silentLogger,
  templateSchema,
  type Workspace,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock } from './manual-clock.js';
import { memoryStore } from './memory-store.js';
import { ScriptedRuntime } from './scripted-runtime.js';

export const WORLD_OWNER = 'world-owner';

/** The core's reconciler wired to a ManualClock, a ScriptedRuntime and an in-memory SQLite store. */
export interface ReconcilerWorld {
  clock: ManualClock;
  store: SqliteStore;
  runtime: ScriptedRuntime;
  events: BerthEvent[];
  reconciler: Reconciler;
  instances: InstanceService;
  /** Stores a template from its fields (a `command` source unless given). */
  template(fields: Record<string, unknown>): void;
  /** The statuses the instance went through, from its `instance.status` events. */
  statuses(instanceId: string): string[];
  /** A berth restart: a new reconciler over the same store and runtime (`hostBootedAt`: the machine rebooted then). */
  restart(opts?: { hostBootedAt?: number }): Promise<Reconciler>;
  close(): Promise<void>;
}

/**
 * `health`: the probe that runs templates' health checks (none: checks are not run); `scales`: the
 * runtime runs replicas; `scalesInPlace: false`: it has no `scale` (a new count means a redeploy).
 */
export async function reconcilerWorld(
  opts: { health?: HealthProbe; scales?: boolean; scalesInPlace?: boolean; scaleRefusal?: string } = {},
): Promise<ReconcilerWorld> {
  const clock = new ManualClock();
  const store = await memoryStore({ clock });
  const runtime = new ScriptedRuntime({
    clock,
    scales: opts.scales ?? false,
    ...(opts.scalesInPlace !== undefined ? { scalesInPlace: opts.scalesInPlace } : {}),
    ...(opts.scaleRefusal !== undefined ? { scaleRefusal: opts.scaleRefusal } : {}),
  });
  const bus = new EventBus(store, clock);
  const events: BerthEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const ledger = new PortLedger(store, [], defaultLedgerConfig, clock, silentLogger);
  const runtimes = resolverOf(runtime, store);
  const workspace = memoryWorkspace();
  let seq = 0;
  const deps = { store, ledger, runtimes, workspace, events: bus, clock, newId: () => `id-${++seq}` };
  const newReconciler = (hostBootedAt?: number) =>
    new Reconciler({
      ...deps,
      log: silentLogger,
      owner: WORLD_OWNER,
      ...(opts.health ? { health: opts.health } : {}),
      ...(hostBootedAt === undefined ? {} : { hostBootedAt }),
    });
  const world: ReconcilerWorld = {
    clock,
    store,
    runtime,
    events,
    reconciler: newReconciler(),
    instances: undefined as unknown as InstanceService,
    template: (fields) => {
      const template = templateSchema.parse({ source: { kind: 'command', command: 'app' }, ...fields });
      store.templates.upsert({ template, origin: { kind: 'api' }, updatedAt: clock.now() });
    },
    statuses: (id) =>
      events.filter((e) => e.type === 'instance.status' && e.instanceId === id).map((e) => String(e.data.to)),
    restart: async (again = {}) => {
      await world.reconciler.close();
      world.reconciler = newReconciler(again.hostBootedAt);
      world.instances = new InstanceService({ ...deps, reconciler: world.reconciler });
      return world.reconciler;
    },
    close: async () => {
      await world.reconciler.close();
      store.close();
    },
  };
  world.instances = new InstanceService({ ...deps, reconciler: world.reconciler });
  return world;
}

/** Every node runs on the one runtime and port space; a node is known when local or stored (as the NodeRegistry opens them). */
function resolverOf(runtime: Runtime, store: SqliteStore): RuntimeResolver {
  return {
    resolve: () => runtime,
    byKind: () => runtime,
    all: () => [{ node: 'local', runtime }],
    hostOf: (node) => {
      if (node !== 'local' && !store.nodes.find(node)) throw new NotFound('node', node);
      return 'local';
    },
  };
}

function memoryWorkspace(): Workspace {
  return {
    instanceDir: (template, instance) => `/world/${template}/${instance}`,
    logDir: (id) => `/world/logs/${id}`,
    create: async () => {},
    remove: async () => {},
  };
}
