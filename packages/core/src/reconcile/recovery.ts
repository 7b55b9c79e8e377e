import type { WorkloadHandle } from '../deployment.js';
import { userMessage } from '../errors.js';
import type { Instance, InstanceStatus } from '../instance.js';
import type { Logger } from '../logger.js';
import type { ObservedWorkload, Runtime } from '../runtime.js';
import type { ReconcilerDeps } from './deps.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

export interface Orphan {
  node: string;
  runtime: string;
  handle: WorkloadHandle;
  instanceId: string | null;
  instanceName: string | null;
  running: boolean;
  /** `data`: no workload, only the data a runtime keeps for an instance berth no longer has (a claim). */
  kind: 'workload' | 'data';
}

interface Found {
  node: string;
  runtime: Runtime;
  seen: ObservedWorkload;
}

export interface RecoveryHooks {
  kick(id: string): void;
  converge(id: string): Promise<void>;
}

/**
 * After a (re)start of berth: re-read every node, adopt what this installation started, attach
 * workloads whose start was never recorded, report orphans, then converge every instance.
 */
export class Recovery {
  private orphanList: Orphan[] = [];

  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly lookup: Lookup,
    private readonly hooks: RecoveryHooks,
    private readonly log: Logger,
  ) {}

  /**
   * Resolves without waiting for the readiness of workloads whose deploy had not finished: those
   * waits run on their instances' queues while berth serves.
   */
  async recover(): Promise<{ adopted: number; orphans: Orphan[] }> {
    const orphans: Orphan[] = [];
    const byInstance = await this.listAll(orphans);
    const settled = new Set<string>();
    /** Found running while their deploy waited for readiness: converged without holding up the start. */
    const waiting = new Set<string>();
    let adopted = 0;
    for (const [id, found] of byInstance) {
      const inst = this.d.store.instances.find(id)!;
      const adoption = this.adopt(inst, found, orphans);
      if (!adoption) continue;
      adopted++;
      if (!adoption.running || inst.desiredState !== 'running') continue;
      if (adoption.recorded && inst.status === 'running') settled.add(id); // its record already says so
      if (isStarting(inst.status)) waiting.add(id);
    }
    this.report(orphans);
    for (const id of waiting) this.hooks.kick(id);
    const rest = this.d.store.instances.list().filter((i) => !settled.has(i.id) && !waiting.has(i.id));
    await Promise.all(rest.map((i) => this.hooks.converge(i.id).catch(() => undefined)));
    return { adopted, orphans };
  }

  orphans(): Orphan[] {
    return this.orphanList;
  }

  /** Re-lists orphans now (for gc). */
  async findOrphans(): Promise<Orphan[]> {
    const out: Orphan[] = [];
    for (const { node, runtime } of this.d.runtimes.all()) {
      const workloads = await runtime.list(this.d.owner);
      for (const w of workloads) {
        const inst = w.instanceId ? this.d.store.instances.find(w.instanceId) : undefined;
        const dep = inst ? this.lookup.currentDeployment(inst) : undefined;
        if (!inst || (dep?.handle && dep.handle.id !== w.handle.id && dep.handle.runtime === runtime.kind)) {
          out.push(orphanOf(node, runtime, w));
        }
      }
      out.push(...(await this.dataOrphans(node, runtime, workloads)));
    }
    this.orphanList = out;
    return out;
  }

  /** Data the runtime keeps for instances berth no longer has, whose workload is gone too (else it is listed above). */
  private async dataOrphans(
    node: string,
    runtime: Runtime,
    workloads: ObservedWorkload[],
  ): Promise<Orphan[]> {
    const held = (await runtime.listData?.(this.d.owner)) ?? [];
    const listed = new Set(workloads.map((w) => w.handle.id));
    return held
      .filter((h) => !listed.has(h.handle.id))
      .filter((h) => !h.instanceId || !this.d.store.instances.find(h.instanceId))
      .map((h) => ({ node, runtime: runtime.kind, ...h, running: false, kind: 'data' as const }));
  }

  /** Removes an orphan workload, or data (it carries this installation's labels, by construction of list() and listData()). */
  async removeOrphan(o: Orphan): Promise<void> {
    const runtime = this.d.runtimes.byKind(o.node, o.runtime);
    if (o.running) await runtime.kill(o.handle);
    await runtime.remove(o.handle, { volumes: true, data: true });
  }

  /** Every node's workloads of this installation, by instance; those of no instance are orphans. */
  private async listAll(orphans: Orphan[]): Promise<Map<string, Found[]>> {
    const byInstance = new Map<string, Found[]>();
    await Promise.all(
      this.d.runtimes.all().map(async ({ node, runtime }) => {
        for (const seen of await this.listNode(node, runtime)) {
          const inst = seen.instanceId ? this.d.store.instances.find(seen.instanceId) : undefined;
          if (!inst) orphans.push(orphanOf(node, runtime, seen));
          else byInstance.set(inst.id, [...(byInstance.get(inst.id) ?? []), { node, runtime, seen }]);
        }
      }),
    );
    return byInstance;
  }

  private async listNode(node: string, runtime: Runtime): Promise<ObservedWorkload[]> {
    try {
      return await runtime.list(this.d.owner);
    } catch (err) {
      const words = { node, runtime: runtime.kind, err: userMessage(err) };
      this.log.warn(words, 'cannot list workloads; skipping node');
      return [];
    }
  }

  /**
   * Picks the instance's own workload among those found (the others are orphans) and adopts it;
   * `recorded` says its deployment already named it.
   */
  private adopt(
    inst: Instance,
    found: Found[],
    orphans: Orphan[],
  ): { running: boolean; recorded: boolean } | undefined {
    const dep = this.lookup.currentDeployment(inst);
    const mine =
      found.find((f) => dep?.handle && f.seen.handle.id === dep.handle.id) ??
      found.find((f) => f.seen.running);
    for (const f of found) if (f !== mine) orphans.push(orphanOf(f.node, f.runtime, f.seen));
    if (!mine) return undefined;
    const recorded = dep?.handle?.id === mine.seen.handle.id;
    if (!recorded) this.records.attach(inst, dep, mine.runtime.kind, mine.seen, this.d.newId());
    this.records.adopted(inst, mine.runtime.kind, mine.seen.handle);
    return { running: mine.seen.running, recorded };
  }

  private report(orphans: Orphan[]): void {
    for (const o of orphans) {
      const words = { node: o.node, handle: o.handle.id, instance: o.instanceName };
      this.log.warn(words, 'orphan workload (berth label, no record)');
    }
    this.orphanList = orphans;
  }
}

/** The record of an instance whose deploy had not finished. */
export function isStarting(status: InstanceStatus): boolean {
  return status === 'deploying' || status === 'pending';
}

function orphanOf(node: string, runtime: Runtime, w: ObservedWorkload): Orphan {
  return {
    node,
    runtime: runtime.kind,
    handle: w.handle,
    instanceId: w.instanceId,
    instanceName: w.instanceName,
    running: w.running,
    kind: 'workload',
  };
}
