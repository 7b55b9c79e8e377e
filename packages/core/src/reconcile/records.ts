import type { Clock } from '../clock.js';
import type { Deployment, WorkloadHandle } from '../deployment.js';
import type { PortConflict } from '../errors.js';
import type { EventType } from '../event.js';
import type { EventBus } from '../event-bus.js';
import { assertTransition, type Health, type Instance, type InstanceStatus } from '../instance.js';
import type { ObservedReplicas, ObservedWorkload } from '../runtime.js';
import type { Store } from '../store.js';
import { clusterEventMessage, replicaChangeMessage, replicaChanges } from './replica-changes.js';

/** Fields of an instance other than its status, which only `Records.status` writes. */
export type InstancePatch = Omit<Partial<Instance>, 'status' | 'id'>;
type DeploymentPatch = Parameters<Store['deployments']['update']>[1];

/**
 * The one writer of instances' status, their deployments and the events that tell of them. Every
 * status change is checked against the transition table (an illegal one throws: it is a bug).
 * Deployments read by the tick are cached here, by id, because every deployment write goes
 * through here and drops its entry.
 */
export class Records {
  private readonly deployments = new Map<string, Deployment>();
  /** Per instance, the uids of the cluster events last observed (each is told once). */
  private readonly clusterSeen = new Map<string, Set<string>>();
  /** Cluster events from before this berth started are not told again after a restart. */
  private readonly since: number;

  constructor(private readonly d: { store: Store; events: EventBus; clock: Clock }) {
    this.since = d.clock.now();
  }

  /** Moves the instance to `status` (with `patch`), telling subscribers when it changed. */
  status(inst: Instance, status: InstanceStatus, reason: string, patch: InstancePatch = {}): Instance {
    assertTransition(inst.status, status);
    const updated = this.d.store.instances.update(inst.id, {
      ...patch,
      status,
      updatedAt: this.d.clock.now(),
    });
    if (inst.status !== status) {
      this.emit(inst, 'instance.status', reason, { from: inst.status, to: status });
    }
    return updated;
  }

  /** Writes fields other than the status, without an event. */
  patch(id: string, patch: InstancePatch): Instance {
    return this.d.store.instances.update(id, patch);
  }

  /**
   * Keeps the replicas the runtime reported (`ObservedWorkload.replicas`) beside the status, as
   * observed state: written only when they changed, so an idle fleet writes nothing.
   */
  replicas(inst: Instance, seen: ObservedWorkload): void {
    const before = inst.observedReplicas ?? null;
    const now = seen.replicas ?? null;
    if (sameReplicas(before, now)) return;
    this.d.store.instances.update(inst.id, { observedReplicas: now });
    if (before && now && before.running !== now.running) {
      this.emit(inst, 'instance.replicas', replicasMessage(now), { from: before.running, to: now.running });
    }
    // The first observation after a deploy is the deploy's own news; changes after it are told.
    if (!before) return;
    for (const c of replicaChanges(before, now))
      this.emit(inst, 'instance.replica', replicaChangeMessage(c), { ...c });
  }

  /**
   * Tells each cluster event about the instance's objects once, by its uid: one already told, or one
   * from before this berth started, is not told again. Only the uids of the last observation are
   * kept: the runtime reports the recent events, and one that left that list does not come back.
   */
  clusterEvents(inst: Instance, seen: ObservedWorkload): void {
    if (!seen.events) return;
    const told = this.clusterSeen.get(inst.id);
    for (const e of seen.events) {
      if (told?.has(e.uid) || (e.at !== null && e.at < this.since)) continue;
      this.emit(inst, 'instance.cluster', clusterEventMessage(e), { ...e });
    }
    this.clusterSeen.set(inst.id, new Set(seen.events.map((e) => e.uid)));
  }

  /** Forgets the cluster events of instances that are gone. */
  pruneClusterEvents(instances: ReadonlySet<string>): void {
    for (const id of this.clusterSeen.keys()) if (!instances.has(id)) this.clusterSeen.delete(id);
  }

  /** A start request clears a given-up `error` (quietly, as the request's own answer says so). */
  clearError(inst: Instance, patch: InstancePatch): Instance {
    if (inst.status !== 'error') return this.patch(inst.id, patch);
    assertTransition(inst.status, 'stopped');
    return this.d.store.instances.update(inst.id, { ...patch, status: 'stopped', errorMessage: null });
  }

  restartScheduled(inst: Instance, message: string, data: Record<string, unknown>): void {
    this.emit(inst, 'instance.restart', message, data);
  }

  portMoved(inst: Instance, c: { name: string; from: number; to: number; usedBy: string }): void {
    const message = `port ${c.name} moved from ${c.from} to ${c.to}: ${c.from} is in use by ${c.usedBy}`;
    this.emit(inst, 'instance.ports', message, { ...c });
  }

  /** A start that stopped on ports someone else holds, each named with its holder. */
  portConflict(inst: Instance, message: string, portConflicts: readonly PortConflict[]): void {
    this.emit(inst, 'instance.port-conflict', message, { portConflicts, during: 'deploy' });
  }

  adopted(inst: Instance, kind: string, handle: WorkloadHandle): void {
    const message = `adopted ${kind} workload ${handle.id} after a berth restart`;
    this.emit(inst, 'instance.adopted', message, { handle: handle.id });
  }

  /** Records a health result that changed the instance's health. */
  health(inst: Instance, health: Health, message: string, failures: number): Instance {
    const updated = this.patch(inst.id, { health });
    this.emit(inst, 'instance.health', message, { from: inst.health, to: health, failures });
    return updated;
  }

  /** Records a deployment and makes it the instance's current one, both or neither. */
  recordDeployment(dep: Deployment): void {
    this.d.store.transaction(() => this.insertCurrent(dep));
  }

  updateDeployment(id: string, patch: DeploymentPatch): void {
    this.d.store.deployments.update(id, patch);
    this.deployments.delete(id);
  }

  /** Closes a deployment that has not been closed yet. */
  finishDeployment(
    dep: Deployment | undefined,
    exitCode: number | null,
    status: InstanceStatus,
    error?: string,
  ): void {
    if (!dep || dep.stoppedAt !== null) return;
    this.updateDeployment(dep.id, { status, exitCode, stoppedAt: this.d.clock.now(), error: error ?? null });
  }

  /** A workload started but never recorded (berth died mid-deploy) becomes the current deployment. */
  attach(
    inst: Instance,
    dep: Deployment | undefined,
    kind: string,
    seen: ObservedWorkload,
    id: string,
  ): void {
    this.d.store.transaction(() => {
      if (dep && dep.stoppedAt === null) {
        this.updateDeployment(dep.id, { handle: seen.handle, status: 'running', startedAt: seen.startedAt });
        return;
      }
      this.insertCurrent(attached(inst, kind, seen, id, this.d.clock.now()));
    });
  }

  /** A deployment by id, cached for the tick (see the class comment). */
  cachedDeployment(id: string | null): Deployment | undefined {
    if (!id) return undefined;
    let dep = this.deployments.get(id);
    if (!dep) {
      dep = this.d.store.deployments.find(id);
      if (dep) this.deployments.set(id, dep);
    }
    return dep;
  }

  /** Forgets cached deployments no instance refers to any more. */
  pruneCache(referenced: ReadonlySet<string>): void {
    for (const id of this.deployments.keys()) if (!referenced.has(id)) this.deployments.delete(id);
  }

  private insertCurrent(dep: Deployment): void {
    this.d.store.deployments.insert(dep);
    this.d.store.instances.update(dep.instanceId, { currentDeploymentId: dep.id });
  }

  private emit(inst: Instance, type: EventType, message: string, data: Record<string, unknown>): void {
    this.d.events.emit({ type, instanceId: inst.id, instanceName: inst.name, message, data });
  }
}

/** `running 1/2: node-2 failed (node lost)` — the count, then each replica that does not run and why. */
function replicasMessage(r: ObservedReplicas): string {
  const down = r.items
    .filter((x) => x.state.toLowerCase() !== 'running')
    .map((x) => `${x.node ?? 'a replica'} ${x.state}${x.message ? ` (${x.message})` : ''}`);
  return `running ${r.running}/${r.desired}${down.length > 0 ? `: ${down.join('; ')}` : ''}`;
}

function sameReplicas(a: ObservedReplicas | null, b: ObservedReplicas | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function attached(inst: Instance, kind: string, seen: ObservedWorkload, id: string, now: number): Deployment {
  return {
    id,
    instanceId: inst.id,
    node: inst.node,
    runtime: kind,
    handle: seen.handle,
    ports: seen.ports,
    url: null,
    status: seen.running ? 'running' : 'stopped',
    startedAt: seen.startedAt,
    stoppedAt: null,
    exitCode: seen.exitCode,
    error: null,
    createdAt: now,
  };
}
