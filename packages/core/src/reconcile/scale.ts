import { buildDeploySpec } from '../deploy-spec.js';
import type { Instance } from '../instance.js';
import { desiredReplicas } from '../instance-replicas.js';
import type { ActionQueue } from './action-queue.js';
import type { Deployer } from './deploy.js';
import type { ReconcilerDeps } from './deps.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

/** What a scale falls back to where it cannot change the workload in place. */
export interface ScaleFallback {
  restart(inst: Instance): Promise<void>;
  converge(inst: Instance): Promise<void>;
}

/**
 * Brings a running instance's workload to its replica count in place (`Runtime.scale`): the
 * replicas that run keep answering, where a restart would stop them all first. An instance that
 * does not run now converges (its next deploy runs the count); a runtime without `scale`
 * redeploys it.
 */
export class Scaler {
  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly lookup: Lookup,
    private readonly queue: ActionQueue,
    private readonly deployer: Deployer,
    private readonly fallback: ScaleFallback,
  ) {}

  async scale(inst: Instance): Promise<void> {
    if (inst.desiredState !== 'running' || inst.status !== 'running') return this.fallback.converge(inst);
    const stored = this.lookup.template(inst);
    const { dep, seen } = await this.lookup.observe(inst);
    if (!stored || !dep?.handle || !seen?.running) return this.fallback.converge(inst);
    const runtime = this.lookup.runtimeFor(inst, dep);
    if (!runtime.scale) return this.fallback.restart(inst);
    const replicas = desiredReplicas(stored.template, inst);
    if (seen.replicas?.desired === replicas && seen.replicas.running === replicas) {
      this.records.replicas(inst, seen);
      return;
    }
    const logDir = this.d.workspace.logDir(inst.id);
    const spec = buildDeploySpec(stored.template, inst, dep.ports, this.deployer.specOptions(stored, logDir));
    const ac = this.queue.begin(inst.id);
    try {
      const after = await runtime.scale(dep.handle, spec, replicas, {
        signal: ac.signal,
        timeoutMs: spec.readinessTimeoutMs,
      });
      this.records.replicas(this.d.store.instances.find(inst.id) ?? inst, after);
      // What runs now has the new count: the deployment's spec says so ("changes not applied" clears).
      if (dep.spec) this.records.updateDeployment(dep.id, { spec: { ...dep.spec, replicas } });
    } finally {
      this.queue.end(inst.id, ac);
    }
  }
}
