import { buildDeploySpec } from '../deploy-spec.js';
import type { Deployment } from '../deployment.js';
import { isBerthError, userMessage } from '../errors.js';
import type { Instance } from '../instance.js';
import type { Logger } from '../logger.js';
import type { ObservedWorkload, Runtime } from '../runtime.js';
import type { ActionQueue } from './action-queue.js';
import { type Deployer, discard } from './deploy.js';
import type { ReconcilerDeps } from './deps.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

/** The least an adopted workload is given to be ready, however long ago it started. */
const MIN_ADOPT_WAIT_MS = 1_000;

/**
 * Waits for workloads found running for an instance whose deploy never finished (berth died
 * while it waited for readiness), the way that deploy would have: same strategy, the part of its
 * timeout that is left since the workload started, while the instance stays `deploying`.
 * Ready → `running`. Not ready → stopped and removed, `error`, like a failed deploy. Aborted (a
 * stop, restart or removal, or berth closing) → left as it is for the next action.
 */
export class Adoptions {
  /** Readiness waits in flight; close() ends them, leaving the workloads be. */
  private readonly waits = new Set<AbortController>();

  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly lookup: Lookup,
    private readonly queue: ActionQueue,
    private readonly deployer: Deployer,
    private readonly log: Logger,
  ) {}

  async awaitReady(inst: Instance, dep: Deployment, seen: ObservedWorkload): Promise<void> {
    const stored = this.lookup.template(inst);
    if (!stored) {
      this.records.status(inst, 'running', 'found running', { errorMessage: null });
      return;
    }
    const runtime = this.lookup.runtimeFor(inst, dep);
    const ports = { ...this.lookup.leasedPorts(inst), ...seen.ports, ...dep.ports };
    const logDir = this.d.workspace.logDir(inst.id);
    const spec = buildDeploySpec(stored.template, inst, ports, this.deployer.specOptions(stored, logDir));
    const startedAt = seen.startedAt ?? dep.startedAt ?? dep.createdAt;
    const left = spec.readinessTimeoutMs - Math.max(0, this.d.clock.now() - startedAt);
    // A workload past its timeout still gets one look: one that is ready now is not failed for it.
    const timeoutMs = Math.max(left, Math.min(spec.readinessTimeoutMs, MIN_ADOPT_WAIT_MS));
    if (inst.status !== 'deploying')
      inst = this.records.status(inst, 'deploying', 'adopted; waiting for readiness', { errorMessage: null });
    const ac = this.queue.begin(inst.id);
    this.waits.add(ac);
    try {
      await runtime.awaitReady(seen.handle, spec, { timeoutMs, signal: ac.signal });
    } catch (err) {
      if (!ac.signal.aborted) await this.notReady(inst, dep, runtime, seen, err);
      return;
    } finally {
      this.waits.delete(ac);
      this.queue.end(inst.id, ac);
    }
    this.ready(inst, dep, seen, startedAt, Boolean(stored.template.health));
  }

  /** Ends every readiness wait, leaving the workloads as they are. */
  close(): void {
    for (const ac of this.waits) ac.abort(new Error('berth is shutting down'));
  }

  private async notReady(
    inst: Instance,
    dep: Deployment,
    runtime: Runtime,
    seen: ObservedWorkload,
    err: unknown,
  ): Promise<void> {
    const message = userMessage(err);
    if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'adopted workload not ready');
    await discard(runtime, seen.handle, inst.name, this.log);
    this.records.finishDeployment(dep, null, 'error', message);
    const fresh = this.d.store.instances.find(inst.id);
    if (fresh)
      this.records.status(fresh, 'error', `deploy failed: ${message}`, {
        errorMessage: message,
        health: null,
      });
  }

  private ready(
    inst: Instance,
    dep: Deployment,
    seen: ObservedWorkload,
    startedAt: number,
    hasHealth: boolean,
  ): void {
    if (dep.status !== 'running' || dep.handle?.id !== seen.handle.id) {
      this.records.updateDeployment(dep.id, {
        handle: seen.handle,
        status: 'running',
        startedAt: dep.startedAt ?? startedAt,
      });
    }
    const fresh = this.d.store.instances.find(inst.id) ?? inst;
    this.records.status(fresh, 'running', 'adopted; ready', {
      errorMessage: null,
      health: hasHealth ? 'starting' : null,
    });
  }
}
