import { Conflict, NotAllowed, NotFound, Unprocessable } from '../errors.js';
import type { Instance } from '../instance.js';
import type { PortRef } from '../port-ledger.js';
import type { NamedWorkload, ObservedWorkload, Runtime } from '../runtime.js';
import type { ReconcilerDeps } from './deps.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

/** A workload found by name on a node, with the kind of runtime that found it. */
export interface FoundWorkload {
  runtime: string;
  workload: NamedWorkload;
}

/**
 * Takes over workloads berth did not start (an import of what an earlier system still runs), so
 * that they are not started a second time: the instance leases the ports the workload publishes
 * and its deployment names the workload, which then stops, logs and restarts as berth's own.
 * Nothing is started, stopped or relabelled on the node.
 */
export class TakeOvers {
  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly lookup: Lookup,
  ) {}

  /** The workload named `name` on the node, asked of each of its runtimes that can find one. */
  async find(node: string, name: string): Promise<FoundWorkload | undefined> {
    for (const { node: n, runtime } of this.d.runtimes.all()) {
      if (n !== node || !runtime.findByName) continue;
      const workload = await runtime.findByName(name);
      if (workload) return { runtime: runtime.kind, workload };
    }
    return undefined;
  }

  /**
   * For a new instance, recorded stopped and pinned to the workload's ports (`ports`: port name →
   * host port): leases those ports, then records the workload as its running deployment.
   */
  async takeOver(inst: Instance, found: FoundWorkload, ports: Record<string, number>): Promise<Instance> {
    this.refuse(inst, found.workload);
    const stored = this.lookup.template(inst);
    if (!stored) throw new NotFound('template', inst.template);
    const host = this.d.runtimes.hostOf(inst.node);
    await this.d.ledger.reallocate(inst, stored.template, {
      host,
      adopted: refsOf(stored.template.ports, ports),
    });
    const runtime = this.d.runtimes.byKind(inst.node, found.runtime);
    const seen = await this.adopt(runtime, inst, found.workload, ports);
    const why = `took over running container ${found.workload.name} instead of starting another`;
    return this.record(inst, runtime.kind, { ...seen, ports }, why, Boolean(stored.template.health));
  }

  /**
   * The deployment and the running status, both or neither: a deployment left on a stopped
   * instance would make undoing the import stop and remove the container it meant to leave running.
   */
  private record(
    inst: Instance,
    kind: string,
    seen: ObservedWorkload,
    why: string,
    hasHealth: boolean,
  ): Instance {
    return this.d.store.transaction(() => {
      this.records.attach(inst, undefined, kind, seen, this.d.newId());
      const fresh = this.d.store.instances.find(inst.id) ?? inst;
      const health = hasHealth ? 'starting' : null;
      return this.records.status(fresh, 'running', why, {
        desiredState: 'running',
        errorMessage: null,
        health,
      });
    });
  }

  /** Deny by default: a berth marker means a berth installation (this one or another) owns it. */
  private refuse(inst: Instance, workload: NamedWorkload): void {
    if (workload.owner !== null) {
      throw new NotAllowed(
        `container ${workload.name} belongs to a berth installation; it is not taken over`,
      );
    }
    if (inst.status !== 'stopped' || inst.currentDeploymentId !== null) {
      throw new Conflict(`${inst.name} has a workload already; nothing is taken over`);
    }
  }

  private async adopt(
    runtime: Runtime,
    inst: Instance,
    workload: NamedWorkload,
    ports: Record<string, number>,
  ) {
    if (!runtime.adopt) throw new Unprocessable(`the ${runtime.kind} runtime cannot take over workloads`);
    const as = { instanceId: inst.id, instanceName: inst.name, owner: this.d.owner, ports };
    const seen = await runtime.adopt(workload, as);
    if (!seen?.running) {
      throw new Conflict(`container ${workload.name} no longer runs as it was found; nothing is taken over`);
    }
    return seen;
  }
}

/** The (protocol, port) of each named port, by the template's protocol for it. */
function refsOf(
  specs: { name: string; protocol: 'tcp' | 'udp' }[],
  ports: Record<string, number>,
): PortRef[] {
  return specs.flatMap((s) => (ports[s.name] === undefined ? [] : [[s.protocol, ports[s.name]!] as const]));
}
