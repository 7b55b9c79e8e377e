import type { Deployment } from '../deployment.js';
import { NotFound } from '../errors.js';
import type { Instance } from '../instance.js';
import { defaultRestartPolicy } from '../restart-decision.js';
import type { ObservedWorkload, Runtime } from '../runtime.js';
import type { StoredTemplate } from '../store.js';
import type { RestartPolicy } from '../template.js';
import type { ReconcilerDeps } from './deps.js';

export interface Observed {
  dep: Deployment | undefined;
  seen: ObservedWorkload | undefined;
}

/** What the rooms of the reconciler read about an instance: its template, deployment, runtime. */
export class Lookup {
  constructor(private readonly d: ReconcilerDeps) {}

  template(inst: Instance): StoredTemplate | undefined {
    return this.d.store.templates.find(inst.template);
  }

  restartPolicy(inst: Instance): RestartPolicy {
    return inst.restart ?? this.template(inst)?.template.restart ?? defaultRestartPolicy;
  }

  stopTimeoutMs(inst: Instance): number {
    return (this.template(inst)?.template.stopTimeoutSeconds ?? 10) * 1000;
  }

  currentDeployment(inst: Instance): Deployment | undefined {
    return inst.currentDeploymentId ? this.d.store.deployments.find(inst.currentDeploymentId) : undefined;
  }

  runtimeFor(inst: Instance, dep: Deployment | undefined): Runtime {
    // The deployment's node: an instance moved by an edit still runs on its old node until applied.
    if (dep) return this.d.runtimes.byKind(dep.node, dep.runtime);
    const t = this.template(inst);
    if (!t) throw new NotFound('template', inst.template);
    return this.d.runtimes.resolve(inst.node, t.template.source.kind);
  }

  /** Observed state of the instance's current workload; throws RuntimeUnavailable if the node is unreachable. */
  async observe(inst: Instance): Promise<Observed> {
    const dep = this.currentDeployment(inst);
    if (!dep?.handle) return { dep, seen: undefined };
    const seen = await this.runtimeFor(inst, dep).inspect(dep.handle);
    return { dep, seen };
  }

  /** The instance's leased ports on its node's host: name → port. */
  leasedPorts(inst: Instance): Record<string, number> {
    const host = this.d.runtimes.hostOf(inst.node);
    const out: Record<string, number> = {};
    for (const l of this.d.store.leases.listByOwner(inst.id))
      if (l.portName && l.host === host) out[l.portName] = l.port;
    return out;
  }
}
