import type { CancelTimer, Clock } from './clock.js';
import type { WorkloadHandle } from './deployment.js';
import type { Logger } from './logger.js';
import { isStatsUnavailable, partialReason, type ReplicaStats } from './replica-stats.js';
import type { ResourceSample } from './runtime.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import { SampleRing } from './sample-ring.js';
import type { Store } from './store.js';
import { TimeSlices } from './time-slices.js';

export interface HostSample {
  ts: number;
  cpuPercent: number;
  cpuCount: number;
  memoryBytes: number;
  memoryTotalBytes: number;
  memoryPercent: number;
  load1: number;
}

/** This machine's totals (I/O: the host package implements it). */
export interface HostStatsSource {
  sample(): Promise<HostSample>;
}

/** Size of a directory tree (I/O: the host package implements it). */
export interface DiskUsage {
  bytes(dir: string): Promise<number | null>;
}

export interface SamplerOptions {
  /** Samples kept per instance (720 = one hour at 5 s). */
  capacity: number;
  /** How long a data directory's size is reused before it is walked again. */
  diskTtlMs: number;
}

/**
 * One pass per tick over every running instance, grouped by runtime so each runtime is asked once
 * for all its workloads; a ring of history per instance and one for the host.
 */
export class ResourceSampler {
  private readonly rings = new Map<string, SampleRing>();
  private readonly hostRing: SampleRing;
  private readonly disk = new Map<string, DiskEntry>();
  /**
   * Data directories waiting for their walk. At most DISK_WALKS walk at once: a first pass over
   * 1,000 instances started 1,000 walks together, ~15 MB of requests in flight, and every other
   * file operation of the server queued behind them in the thread pool.
   */
  private readonly diskQueue: { dir: string; entry: DiskEntry }[] = [];
  private diskWalks = 0;
  /** Why the last pass has no sample for an instance (its runtime failed or gave none), by id. */
  private readonly missing = new Map<string, string>();
  /** Each replica's share in the last pass, where the runtime reads replicas apart, by id. */
  private readonly replicaShares = new Map<string, ReplicaStats[]>();
  private cancelTimer: CancelTimer | undefined;
  private busy = false;

  constructor(
    private readonly d: {
      store: Store;
      runtimes: RuntimeResolver;
      clock: Clock;
      log: Logger;
      host: HostStatsSource;
      diskUsage: DiskUsage;
    },
    private readonly opts: SamplerOptions = { capacity: 720, diskTtlMs: 60_000 },
  ) {
    this.hostRing = new SampleRing(opts.capacity);
  }

  start(intervalMs: number): void {
    this.cancelTimer = this.d.clock.setInterval(() => void this.sampleOnce(), intervalMs);
  }

  stop(): void {
    this.cancelTimer?.();
  }

  async sampleOnce(): Promise<void> {
    if (this.busy) return; // a slow pass never overlaps the next
    this.busy = true;
    try {
      await Promise.all([this.sampleInstances(), this.sampleHost()]);
    } finally {
      this.busy = false;
    }
  }

  private async sampleHost(): Promise<void> {
    try {
      const h = await this.d.host.sample();
      this.lastHost = h;
      this.hostRing.push({
        ts: h.ts,
        cpuPercent: h.cpuPercent,
        memoryBytes: h.memoryBytes,
        memoryPercent: h.memoryPercent,
        diskBytes: null,
      });
    } catch (err) {
      this.d.log.warn({ err: String(err) }, 'host sample failed');
    }
  }

  private lastHost: HostSample | undefined;
  private workloads = new Map<string, RunningWorkload>();

  /** The pass over every running instance, in time slices (see TimeSlices). */
  private async sampleInstances(): Promise<void> {
    const slices = new TimeSlices();
    const { groups, live } = await this.groupRunning(slices);
    const now = this.d.clock.now();
    await Promise.all([...groups.values()].map((g) => this.sampleGroup(g, now, slices)));
    for (const id of this.rings.keys())
      if (!live.has(id) && !this.d.store.instances.find(id)) this.rings.delete(id);
    for (const id of this.missing.keys()) if (!live.has(id)) this.missing.delete(id);
    for (const id of this.replicaShares.keys()) if (!live.has(id)) this.replicaShares.delete(id);
    if (this.disk.size > 2 * live.size + 16) {
      const dirs = new Set([...groups.values()].flatMap((g) => g.items.map((i) => i.dataDir)));
      for (const dir of this.disk.keys()) if (!dirs.has(dir)) this.disk.delete(dir);
    }
  }

  /** Running instances by node and runtime, so each runtime is asked once for all of its own. */
  private async groupRunning(
    slices: TimeSlices,
  ): Promise<{ groups: Map<string, SampleGroup>; live: Set<string> }> {
    const groups = new Map<string, SampleGroup>();
    const live = new Set<string>();
    const workloads = new Map<string, RunningWorkload>();
    for (const inst of this.d.store.instances.list({ status: 'running' })) {
      if (slices.due()) await slices.turn();
      const dep = inst.currentDeploymentId ? this.workloadOf(inst.currentDeploymentId) : undefined;
      if (!dep) continue;
      workloads.set(inst.currentDeploymentId!, dep);
      live.add(inst.id);
      const key = `${inst.node}|${dep.runtime}`;
      const g = groups.get(key) ?? { node: inst.node, kind: dep.runtime, items: [] };
      groups.set(key, g);
      g.items.push({ id: inst.id, dataDir: inst.dataDir, handle: dep.handle });
    }
    this.workloads = workloads;
    return { groups, live };
  }

  /** One stats call for a group; a runtime that fails costs its own group's samples only. */
  private async sampleGroup(g: SampleGroup, now: number, slices: TimeSlices): Promise<void> {
    try {
      const stats = await this.d.runtimes.byKind(g.node, g.kind).stats(g.items.map((i) => i.handle));
      for (const item of g.items) {
        if (slices.due()) await slices.turn();
        const s = stats.get(item.handle.id);
        if (s?.replicas) this.replicaShares.set(item.id, s.replicas);
        else this.replicaShares.delete(item.id);
        if (!s || isStatsUnavailable(s)) {
          this.missing.set(
            item.id,
            s?.unavailable ?? `the ${g.kind} runtime of node ${g.node} gave no sample for it`,
          );
          continue;
        }
        this.missing.delete(item.id);
        const { cpuPercent, memoryBytes, memoryPercent } = s;
        const diskBytes = this.diskOf(item.dataDir, now);
        this.ring(item.id).push({ ts: now, cpuPercent, memoryBytes, memoryPercent, diskBytes });
      }
    } catch (err) {
      this.d.log.warn({ node: g.node, runtime: g.kind, err: String(err) }, 'stats failed');
      const reason = (err instanceof Error ? err.message : String(err)).replace(/^n\/a: /, '');
      for (const item of g.items) this.missing.set(item.id, reason);
    }
  }

  /** Why the instance's stats are n/a (its runtime cannot give them, in its words); undefined when they are not. */
  unavailable(instanceId: string): string | undefined {
    return this.missing.get(instanceId);
  }

  /**
   * Whether the latest numbers are there, whole or a partial sum (replicas on nodes berth does not
   * reach are not in it), the reason in words, and each replica's share where the runtime has them.
   */
  availability(instanceId: string): StatsAvailability {
    const replicas = this.replicaShares.get(instanceId) ?? null;
    const missing = this.missing.get(instanceId);
    if (missing !== undefined) return { available: false, partial: false, reason: missing, replicas };
    const partial = partialReason(replicas ?? undefined);
    return { available: true, partial: partial !== null, reason: partial, replicas };
  }

  /**
   * A running deployment's workload: kept from the previous pass (a deployment that runs never
   * changes its handle), read from the store when new — not 1,000 reads and parses every pass.
   */
  private workloadOf(deploymentId: string): RunningWorkload | undefined {
    const known = this.workloads.get(deploymentId);
    if (known) return known;
    const dep = this.d.store.deployments.find(deploymentId);
    return dep?.handle ? { runtime: dep.runtime, handle: dep.handle } : undefined;
  }

  /** Cached size of the data directory; refreshed in the background when stale. */
  private diskOf(dir: string, now: number): number | null {
    const entry = this.disk.get(dir) ?? { at: 0, bytes: null, pending: false };
    this.disk.set(dir, entry);
    if (!entry.pending && now - entry.at >= this.opts.diskTtlMs) {
      entry.pending = true;
      this.diskQueue.push({ dir, entry });
      this.walkNext();
    }
    return entry.bytes;
  }

  private walkNext(): void {
    while (this.diskWalks < DISK_WALKS && this.diskQueue.length > 0) {
      const { dir, entry } = this.diskQueue.shift()!;
      this.diskWalks++;
      this.d.diskUsage
        .bytes(dir)
        .then((b) => {
          entry.bytes = b;
          entry.at = this.d.clock.now();
        })
        .catch(() => undefined)
        .finally(() => {
          entry.pending = false;
          this.diskWalks--;
          this.walkNext();
        });
    }
  }

  private ring(id: string): SampleRing {
    const r = this.rings.get(id) ?? new SampleRing(this.opts.capacity);
    this.rings.set(id, r);
    return r;
  }

  history(instanceId: string, since?: number): ResourceSample[] {
    return this.rings.get(instanceId)?.toArray(since) ?? [];
  }

  latest(instanceId: string): ResourceSample | undefined {
    return this.rings.get(instanceId)?.latest();
  }

  host(since?: number): { latest: HostSample | undefined; history: ResourceSample[] } {
    return { latest: this.lastHost, history: this.hostRing.toArray(since) };
  }
}

/** Data-directory walks at once (libuv's thread pool has four threads by default). */
const DISK_WALKS = 2;

interface DiskEntry {
  at: number;
  bytes: number | null;
  pending: boolean;
}

export interface StatsAvailability {
  available: boolean;
  /** The numbers are the sum of the replicas berth could read, not of all. */
  partial: boolean;
  reason: string | null;
  replicas: ReplicaStats[] | null;
}

interface RunningWorkload {
  runtime: string;
  handle: WorkloadHandle;
}

/** The running instances of one node's runtime, sampled in one call. */
interface SampleGroup {
  node: string;
  kind: string;
  items: { id: string; dataDir: string; handle: WorkloadHandle }[];
}
