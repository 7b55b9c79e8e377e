import { buildDeploySpec, type SpecContext } from '../deploy-spec.js';
import type { Deployment, WorkloadHandle } from '../deployment.js';
import { Conflict, isBerthError, NotFound, userMessage } from '../errors.js';
import type { Instance } from '../instance.js';
import { desiredReplicas, refuseUnscalable } from '../instance-replicas.js';
import { desiredSpecOf } from '../instance-spec.js';
import type { Logger } from '../logger.js';
import { PortBindFailed, UNKNOWN_BINDER } from '../port-bind-failed.js';
import { type PortLedger, pinOf } from '../port-ledger.js';
import type { DeploySpec, Runtime } from '../runtime.js';
import type { StoredTemplate } from '../store.js';
import { primaryHttpPort, type Template } from '../template.js';
import { templateFolderOf } from '../template-origin.js';
import type { ActionQueue } from './action-queue.js';
import { addressOf, type ReconcilerDeps } from './deps.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

export interface DeployHooks {
  /**
   * The workload exited before it was ready: a crash like one a moment later, so the restart
   * policy decides what follows (the deploy still fails as itself).
   */
  exitedBeforeReady(inst: Instance, exitCode: number | null, how: string): Promise<void>;
}

/**
 * Deploys an instance: leases its ports, records the deployment (before anything runs: a deploy
 * whose records cannot be written fails as itself), asks the runtime to deploy, and records the
 * outcome. Ports berth chose that someone took before the bind are re-chosen once.
 */
export class Deployer {
  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly lookup: Lookup,
    private readonly queue: ActionQueue,
    private readonly log: Logger,
    private readonly hooks: DeployHooks,
  ) {}

  async deploy(inst: Instance, reason: string, refused?: Map<string, string>): Promise<void> {
    const stored = this.templateOrError(inst);
    const runtime = this.d.runtimes.resolve(inst.node, stored.template.source.kind);
    inst = this.records.status(inst, 'deploying', reason, {
      errorMessage: null,
      nextRetryAt: null,
      health: null,
    });
    const ac = this.queue.begin(inst.id);
    let dep: Deployment | undefined;
    try {
      await refuseUnscalable(runtime, inst.node, stored, desiredReplicas(stored.template, inst));
      const spec = await this.prepare(inst, stored, refused);
      dep = this.record(inst, stored.template, runtime, spec.ports);
      await this.run(inst, stored.template, runtime, spec.spec, dep, ac.signal);
    } catch (err) {
      const retry = !ac.signal.aborted && !refused && dep ? lostBinds(stored.template, inst, err) : undefined;
      this.records.finishDeployment(dep, null, 'error', userMessage(err));
      if (retry) return this.redeployOnOtherPorts(inst, ac, err, retry);
      const failure = await this.failed(inst, stored.template, err, ac.signal);
      if (!ac.signal.aborted) await this.crashedBeforeReady(inst.id, err);
      throw failure;
    } finally {
      this.queue.end(inst.id, ac);
    }
  }

  /** The instance's template; one that is gone leaves the instance in error, naming it. */
  private templateOrError(inst: Instance): StoredTemplate {
    const stored = this.lookup.template(inst);
    if (stored) return stored;
    const msg = `template '${inst.template}' no longer exists`;
    this.records.status(inst, 'error', msg, { errorMessage: msg });
    throw new NotFound('template', inst.template);
  }

  /**
   * Someone took ports berth chose between the choice and the bind: one more deploy, which
   * refuses those ports. This try's abort handle ends first: the retry registers its own, which a
   * stop then aborts.
   */
  private redeployOnOtherPorts(
    inst: Instance,
    ac: AbortController,
    err: unknown,
    refused: Map<string, string>,
  ): Promise<void> {
    this.queue.end(inst.id, ac);
    const fresh = this.d.store.instances.find(inst.id) ?? inst;
    const first = userMessage(err).split('\n')[0];
    return this.deploy(fresh, `retrying on another port: ${first}`, refused);
  }

  /** Spec options for the instance's template (also used to wait for an adopted workload). */
  specOptions(stored: StoredTemplate, logDir: string): SpecContext {
    return { owner: this.d.owner, logDir, templateDir: templateDir(stored), secrets: this.d.secrets };
  }

  private async prepare(inst: Instance, stored: StoredTemplate, refused?: Map<string, string>) {
    const versionDir = await this.d.versions?.ensure(stored.template, inst);
    const host = this.d.runtimes.hostOf(inst.node);
    const { ports, changed } = await this.d.ledger.allocate(inst, stored.template, host, { refused });
    for (const c of changed) this.records.portMoved(inst, c);
    await this.d.workspace.create(inst.dataDir);
    const logDir = this.d.workspace.logDir(inst.id);
    await this.d.workspace.create(logDir);
    const spec = buildDeploySpec(stored.template, inst, ports, {
      ...this.specOptions(stored, logDir),
      versionDir,
    });
    return { ports, spec };
  }

  /** Records the deployment; only once recorded is it cleaned up after a failure. */
  private record(inst: Instance, template: Template, runtime: Runtime, ports: Record<string, number>) {
    const dep: Deployment = {
      id: this.d.newId(),
      instanceId: inst.id,
      node: inst.node,
      runtime: runtime.kind,
      handle: null,
      ports,
      url: this.urlFor(template, ports, inst.node),
      status: 'deploying',
      startedAt: null,
      stoppedAt: null,
      exitCode: null,
      error: null,
      createdAt: this.d.clock.now(),
      spec: desiredSpecOf(template, inst),
    };
    this.records.recordDeployment(dep);
    return dep;
  }

  private async run(
    inst: Instance,
    template: Template,
    runtime: Runtime,
    spec: DeploySpec,
    dep: Deployment,
    signal: AbortSignal,
  ): Promise<void> {
    const seen = await runtime.deploy(spec, { signal, timeoutMs: spec.readinessTimeoutMs });
    try {
      const startedAt = seen.startedAt ?? this.d.clock.now();
      this.records.updateDeployment(dep.id, { handle: seen.handle, status: 'running', startedAt });
    } catch (err) {
      // A workload berth could not record would run unknown to it: stop it, then fail the deploy.
      await discard(runtime, seen.handle, inst.name, this.log);
      throw err;
    }
    const fresh = this.d.store.instances.find(inst.id) ?? inst;
    // Without a readiness check berth only saw it start: "ready" would promise what was never checked.
    const reason = spec.readiness.kind === 'none' ? 'started' : 'deployed and ready';
    this.records.status(fresh, 'running', reason, {
      observedReplicas: seen.replicas ?? null,
      errorMessage: null,
      health: template.health ? 'starting' : null,
    });
    this.records.clusterEvents(fresh, seen);
  }

  /** Records a deploy that failed or was cancelled; returns the error to throw. */
  private async failed(inst: Instance, template: Template, err: unknown, signal: AbortSignal) {
    const message = userMessage(err);
    const failure =
      err instanceof PortBindFailed && !signal.aborted
        ? await bindConflicts(this.d.ledger, err, inst, template, this.d.runtimes.hostOf(inst.node))
        : err;
    const fresh = this.d.store.instances.find(inst.id);
    if (fresh && !signal.aborted && failure instanceof Conflict && failure.portConflicts.length > 0)
      this.records.portConflict(fresh, `deploy failed: ${message}`, failure.portConflicts);
    if (fresh) {
      const aborted = signal.aborted;
      this.records.status(
        fresh,
        aborted ? 'stopped' : 'error',
        aborted ? 'deploy cancelled' : `deploy failed: ${message}`,
        { errorMessage: aborted ? null : message },
      );
    }
    if (signal.aborted) {
      return new Conflict(`the deploy of ${inst.name} was cancelled: ${userMessage(signal.reason)}`, {
        code: 'CANCELLED',
        cause: err,
      });
    }
    if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'deploy failed');
    return failure;
  }

  /**
   * A workload that exited before berth saw it ready crashed as surely as one that exits a moment
   * after: without this, a program that dies at once got no restart (a failed deploy), while one
   * that lived a little longer was restarted by its policy.
   */
  private async crashedBeforeReady(id: string, err: unknown): Promise<void> {
    if (!isBerthError(err) || err.code !== 'WORKLOAD_EXITED') return;
    const inst = this.d.store.instances.find(id);
    if (inst?.desiredState !== 'running') return;
    const code = err.details?.exitCode;
    const exitCode = typeof code === 'number' ? code : null;
    const how =
      exitCode === null ? 'exited before it was ready' : `exited with code ${exitCode} before it was ready`;
    await this.hooks.exitedBeforeReady(inst, exitCode, how);
  }

  private urlFor(template: Template, ports: Record<string, number>, node: string): string | null {
    const p = primaryHttpPort(template);
    const port = p ? ports[p.name] : undefined;
    const host = addressOf(this.d, node);
    return port === undefined ? null : `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  }
}

/** Stops and removes a workload that failed readiness, as a runtime's deploy does with its own. */
export async function discard(runtime: Runtime, handle: WorkloadHandle, name: string, log: Logger) {
  try {
    await runtime.kill(handle);
    await runtime.remove(handle);
  } catch (err) {
    log.warn({ instance: name, err: userMessage(err) }, 'could not remove a workload that was not ready');
  }
}

function templateDir(stored: StoredTemplate): string | null {
  return templateFolderOf(stored.origin);
}

/**
 * The ports berth chose that a failed deploy could not bind (something took them between berth's
 * look and the bind), with who took them in words — or undefined when the failure was something
 * else or every such port is pinned (those fail as they are).
 */
function lostBinds(template: Template, inst: Instance, err: unknown): Map<string, string> | undefined {
  if (!(err instanceof PortBindFailed)) return undefined;
  const failed = new Set(err.ports.map((p) => p.name));
  const lost = template.ports.filter((p) => pinOf(inst, p) === undefined && failed.has(p.name));
  if (lost.length === 0) return undefined;
  return new Map(lost.map((p) => [p.name, UNKNOWN_BINDER]));
}

/** A bind failure of pinned ports, its list naming each holder and a free port where the ledger can. */
async function bindConflicts(
  ledger: PortLedger,
  err: PortBindFailed,
  inst: Instance,
  template: Template,
  host: string,
): Promise<PortBindFailed> {
  try {
    const { portConflicts } = await ledger.preflight(inst, template, { host, running: false });
    return err.withConflicts(portConflicts.map(({ pinned: _, ...c }) => c));
  } catch {
    return err; // the runtime's list still says which ports failed
  }
}
