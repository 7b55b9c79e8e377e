import type { CancelTimer } from '../clock.js';
import type { Deployment, WorkloadHandle } from '../deployment.js';
import { isBerthError } from '../errors.js';
import type { Instance } from '../instance.js';
import type { Logger } from '../logger.js';
import { LOCAL_NODE } from '../node.js';
import type { ObservedWorkload } from '../runtime.js';
import type { StoredTemplate } from '../store.js';
import { TimeSlices } from '../time-slices.js';
import type { ActionQueue } from './action-queue.js';
import type { ReconcilerDeps } from './deps.js';
import { externalKey, type HealthMonitor } from './health-monitor.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';
import type { Restarts } from './restarts.js';

interface RunningGroup {
  node: string;
  kind: string;
  items: { inst: Instance; dep: Deployment; handle: WorkloadHandle }[];
}

export interface WatchRooms {
  records: Records;
  lookup: Lookup;
  queue: ActionQueue;
  health: HealthMonitor;
  restarts: Restarts;
  kick(id: string): void;
}

/**
 * The periodic pass, on the Clock's timer: notices exits, retries that are due, unreachable nodes
 * coming back, and runs health checks when due. Deployments it reads come from the records' cache.
 */
export class Watch {
  /** `node|runtime` whose `list()` of the previous tick is still out. */
  private readonly listing = new Set<string>();
  private cancelTimer: CancelTimer | undefined;
  private stopped = false;
  /** A timer's pass still out: the next timer skips rather than run two at once. */
  private passing = false;

  constructor(
    private readonly d: ReconcilerDeps,
    private readonly r: WatchRooms,
    private readonly log: Logger,
  ) {}

  start(intervalMs: number): void {
    this.cancelTimer = this.d.clock.setInterval(() => {
      if (this.passing) return;
      this.passing = true;
      this.tick()
        .catch((err) => {
          // A pass that could not read or write its records (the store logs those) runs again next tick.
          if (!isBerthError(err)) this.log.error({ err }, 'reconciler pass failed');
        })
        .finally(() => {
          this.passing = false;
        });
    }, intervalMs);
  }

  close(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  /**
   * One pass over every instance. Each runtime is asked once for all its workloads (`list`), and a
   * converge is queued only for an instance that needs one: its workload is gone or is not the one
   * recorded, it should stop, its node is unreachable, or a retry is due. Healthy instances queue
   * nothing, which keeps an idle berth with many instances idle. Resolves once every runtime
   * answered and the converges are queued (not done). The pass runs in time slices: with 10,000
   * instances it is ~100 ms of work, which must not hold a request that long.
   */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.d.clock.now();
    const templateOf = memo((name: string) => this.d.store.templates.find(name));
    const groups = new Map<string, RunningGroup>();
    const referenced = new Set<string>();
    const ids = new Set<string>();
    const slices = new TimeSlices();
    for (const inst of this.d.store.instances.list()) {
      if (slices.due()) await slices.turn();
      if (this.stopped) return;
      ids.add(inst.id);
      if (inst.currentDeploymentId) referenced.add(inst.currentDeploymentId);
      if (inst.status === 'external') {
        referenced.add(externalKey(inst.id));
        this.r.health.checkExternal(inst, templateOf(inst.template)?.template, now);
        continue;
      }
      if (this.r.queue.busy(inst.id)) continue;
      if (inst.status === 'running' && inst.desiredState === 'running') {
        this.watchRunning(inst, groups, templateOf(inst.template), now);
      } else if (needsConverge(inst, now)) this.r.kick(inst.id);
    }
    this.r.records.pruneCache(referenced);
    this.r.records.pruneClusterEvents(ids);
    this.r.health.prune(referenced);
    await Promise.all([...groups].map(([key, group]) => this.observeGroup(key, group)));
  }

  private watchRunning(
    inst: Instance,
    groups: Map<string, RunningGroup>,
    stored: StoredTemplate | undefined,
    now: number,
  ): void {
    const dep = this.r.records.cachedDeployment(inst.currentDeploymentId);
    if (!dep?.handle) {
      this.r.kick(inst.id);
      return;
    }
    // Where the workload runs: an instance moved by an edit runs on its old node until applied.
    const key = `${dep.node}|${dep.runtime}`;
    const group = groups.get(key) ?? { node: dep.node, kind: dep.runtime, items: [] };
    groups.set(key, group);
    group.items.push({ inst, dep, handle: dep.handle });
    this.r.health.check(inst, dep, stored?.template.health, now);
  }

  /**
   * Lists one runtime's recorded workloads and queues a converge for each instance of the group whose
   * recorded workload is not among the running ones. When the runtime cannot list, every instance
   * of the group is converged, which inspects it and says why (unreachable, exited…).
   */
  private async observeGroup(key: string, group: RunningGroup): Promise<void> {
    if (this.listing.has(key)) return;
    this.listing.add(key);
    let seen: ObservedWorkload[] | undefined;
    try {
      // Only the recorded workloads: the tick needs to know which of them run, not every process
      // on the machine (orphans are found by recover and gc, which list in full).
      const known = group.items.map((i) => i.handle);
      seen = await this.d.runtimes.byKind(group.node, group.kind).list(this.d.owner, { known });
    } catch {
      seen = undefined;
    } finally {
      this.listing.delete(key);
    }
    if (this.stopped) return;
    if (!seen) {
      for (const { inst } of group.items) if (!this.r.queue.busy(inst.id)) this.r.kick(inst.id);
      return;
    }
    const running = new Map<string, ObservedWorkload>();
    const byHandle = new Map<string, ObservedWorkload>();
    for (const w of seen) {
      byHandle.set(w.handle.id, w);
      if (w.running) running.set(w.handle.id, w);
    }
    const slices = new TimeSlices();
    for (const item of group.items) {
      if (slices.due()) await slices.turn();
      if (this.stopped) return;
      // The cluster's events about each workload, running or not (a crash loop's are the ones wanted).
      const w = byHandle.get(item.handle.id);
      if (w?.instanceId === item.inst.id) this.r.records.clusterEvents(item.inst, w);
      this.settle(item, running);
    }
  }

  private settle(item: RunningGroup['items'][number], running: Map<string, ObservedWorkload>): void {
    const { inst, dep, handle } = item;
    if (this.r.queue.busy(inst.id)) return;
    const seen = running.get(handle.id);
    if (seen?.instanceId !== inst.id) {
      this.r.kick(inst.id);
      return;
    }
    this.r.records.replicas(inst, seen);
    if (inst.restartCount === 0) return;
    const fresh = this.d.store.instances.find(inst.id);
    if (fresh?.status === 'running' && fresh.currentDeploymentId === dep.id)
      this.r.restarts.maybeReset(fresh, dep);
  }
}

/** An instance that is not running as desired and whose state the tick should converge. */
function needsConverge(inst: Instance, now: number): boolean {
  return (
    inst.status === 'running' ||
    inst.status === 'unreachable' ||
    // A stopped container on another host is looked at too, so that host going away shows on
    // all of its instances, not only the running ones.
    (inst.status === 'stopped' && inst.node !== LOCAL_NODE && inst.currentDeploymentId !== null) ||
    (inst.desiredState === 'running' && inst.nextRetryAt !== null && inst.nextRetryAt <= now)
  );
}

function memo<T>(read: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, read(key));
    return seen.get(key) as T;
  };
}
