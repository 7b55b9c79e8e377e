import type { Clock } from './clock.js';
import { buildDeploySpec } from './deploy-spec.js';
import type { Deployment, WorkloadHandle } from './deployment.js';
import { Conflict, isBerthError, NotFound, RuntimeUnavailable, userMessage } from './errors.js';
import type { EventBus } from './event-bus.js';
import { type HealthProbe, type HealthResult, HealthTracker, healthTarget } from './health.js';
import type { Instance, InstanceStatus } from './instance.js';
import type { Logger } from './logger.js';
import { LOCAL_NODE } from './node.js';
import { PortBindFailed, UNKNOWN_BINDER } from './port-bind-failed.js';
import { type PortLedger, pinOf } from './port-ledger.js';
import { decideRestart, defaultRestartPolicy } from './restart-decision.js';
import type { ObservedWorkload, Runtime } from './runtime.js';
import type { RuntimeResolver, Workspace } from './runtime-resolver.js';
import type { SecretBox } from './secret-box.js';
import type { Store, StoredTemplate } from './store.js';
import { type HealthCheck, primaryHttpPort, type Template } from './template.js';
import { templateFolderOf } from './template-origin.js';

export interface ReconcilerDeps {
  store: Store;
  ledger: PortLedger;
  runtimes: RuntimeResolver;
  workspace: Workspace;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** The berth installation's id: marks its workloads so another home never adopts them. */
  owner: string;
  newId: () => string;
  /** The host name used in access URLs. */
  publicHost?: string;
  /** Where a node's published ports are reached (access URLs, health checks); publicHost (or 127.0.0.1) when absent. */
  nodeAddress?: (node: string) => string;
  /** Runs health checks; without it, templates' health checks are not run. */
  health?: HealthProbe;
  /** Opens sealed (secret) config values for the workload's deploy spec. */
  secrets?: SecretBox;
}

export interface Orphan {
  node: string;
  runtime: string;
  handle: WorkloadHandle;
  instanceId: string | null;
  instanceName: string | null;
  running: boolean;
}

type Action = 'converge' | 'restart' | 'heal' | 'kill' | 'destroy';

/** The least an adopted workload is given to be ready, however long ago it started. */
const MIN_ADOPT_WAIT_MS = 1_000;

/**
 * Makes the world match the desired state. The only code that asks a runtime to change anything:
 * one action at a time per instance (a promise chain each), many instances in parallel.
 */
export class Reconciler {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly inflight = new Map<string, AbortController>();
  /** Readiness waits of adopted workloads (see awaitAdopted); close() ends them, leaving the workloads be. */
  private readonly adoptions = new Set<AbortController>();
  private readonly retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private orphanList: Orphan[] = [];
  private readonly trackers = new Map<string, { deploymentId: string; tracker: HealthTracker }>();
  /** Deployments by id, read by the tick; every write below drops the entry (this is their only writer). */
  private readonly deploymentCache = new Map<string, Deployment>();
  /** `node|runtime` whose `list()` of the previous tick is still out. */
  private readonly listing = new Set<string>();
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly d: ReconcilerDeps) {
    this.log = d.log.child({ ns: 'reconciler' });
  }

  /** Queues an action for the instance; resolves when it is done, rejects with its domain error. */
  enqueue(id: string, action: Action = 'converge', opts: { volumes?: boolean } = {}): Promise<void> {
    if (action !== 'converge') this.inflight.get(id)?.abort(new Error('superseded by a newer request'));
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.run(id, action, opts));
    this.chains.set(id, next);
    void next
      .finally(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      })
      .catch(() => undefined);
    return next;
  }

  /** Stop request while a deploy is in flight: abort it instead of waiting for its readiness timeout. */
  abortDeploy(id: string): void {
    this.inflight.get(id)?.abort(new Error('stop requested'));
  }

  /** Fire-and-forget version of enqueue for background callers. */
  kick(id: string): void {
    this.enqueue(id).catch((err) => {
      if (!isBerthError(err)) this.log.error({ instance: id, err }, 'reconcile failed');
    });
  }

  private async run(id: string, action: Action, opts: { volumes?: boolean }): Promise<void> {
    const inst = this.d.store.instances.find(id);
    if (!inst) return;
    switch (action) {
      case 'converge':
        return this.converge(inst);
      case 'restart':
        await this.stopWorkload(inst, 'restart requested');
        return this.deploy(
          this.d.store.instances.update(id, { restartCount: 0, nextRetryAt: null }),
          'restart requested',
        );
      case 'heal':
        await this.stopWorkload(inst, 'unhealthy');
        return this.deploy(
          this.d.store.instances.find(id) ?? inst,
          `restart attempt ${inst.restartCount} (unhealthy)`,
        );
      case 'kill':
        return this.killWorkload(inst);
      case 'destroy':
        return this.destroy(inst, opts.volumes ?? false);
    }
  }

  private template(inst: Instance): StoredTemplate | undefined {
    return this.d.store.templates.find(inst.template);
  }

  private currentDeployment(inst: Instance): Deployment | undefined {
    return inst.currentDeploymentId ? this.d.store.deployments.find(inst.currentDeploymentId) : undefined;
  }

  private runtimeFor(inst: Instance, dep: Deployment | undefined): Runtime {
    if (dep) return this.d.runtimes.byKind(inst.node, dep.runtime);
    const t = this.template(inst);
    if (!t) throw new NotFound('template', inst.template);
    return this.d.runtimes.resolve(inst.node, t.template.source.kind);
  }

  /** Observed state of the instance's current workload; throws RuntimeUnavailable if the node is unreachable. */
  private async observe(
    inst: Instance,
  ): Promise<{ dep: Deployment | undefined; seen: ObservedWorkload | undefined }> {
    const dep = this.currentDeployment(inst);
    if (!dep?.handle) return { dep, seen: undefined };
    const seen = await this.runtimeFor(inst, dep).inspect(dep.handle);
    return { dep, seen };
  }

  private setStatus(
    inst: Instance,
    status: InstanceStatus,
    reason: string,
    patch: Partial<Instance> = {},
  ): Instance {
    const updated = this.d.store.instances.update(inst.id, {
      ...patch,
      status,
      updatedAt: this.d.clock.now(),
    });
    if (inst.status !== status) {
      this.d.events.emit({
        type: 'instance.status',
        instanceId: inst.id,
        instanceName: inst.name,
        message: reason,
        data: { from: inst.status, to: status },
      });
    }
    return updated;
  }

  private async converge(inst: Instance): Promise<void> {
    let observed: Awaited<ReturnType<Reconciler['observe']>>;
    try {
      observed = await this.observe(inst);
    } catch (err) {
      if (err instanceof RuntimeUnavailable) {
        if (inst.status !== 'unreachable')
          this.setStatus(inst, 'unreachable', err.message, { errorMessage: err.message });
        return;
      }
      throw err;
    }
    const { dep, seen } = observed;
    if (inst.desiredState === 'running') {
      if (seen?.running && dep && isStarting(inst.status)) {
        // Found while its deploy was still waiting (berth died mid-deploy): not running until ready.
        return this.awaitAdopted(inst, dep, seen);
      }
      if (seen?.running) {
        if (inst.status !== 'running') {
          this.setStatus(
            inst,
            'running',
            inst.status === 'unreachable' ? 'node reachable again' : 'found running',
            {
              errorMessage: null,
            },
          );
        } else this.maybeResetRestarts(inst, dep);
        return;
      }
      if (dep && (inst.status === 'running' || inst.status === 'unreachable')) {
        // Found stopped as its node comes back: the outage stopped it, not the workload.
        return this.onExited(inst, dep, seen, inst.status === 'unreachable');
      }
      if (inst.nextRetryAt !== null && inst.nextRetryAt > this.d.clock.now()) return;
      if (inst.status === 'error' && inst.nextRetryAt === null) return; // gave up; a start request clears this
      return this.deploy(
        inst,
        inst.status === 'error' ? `restart attempt ${inst.restartCount}` : 'start requested',
      );
    }
    // desired: stopped
    if (seen?.running) {
      await this.stopWorkload(inst, 'stop requested');
      return;
    }
    if (inst.status !== 'stopped' && inst.status !== 'error') {
      this.finishDeployment(dep, seen?.exitCode ?? null, 'stopped');
      const back = inst.status === 'unreachable';
      this.setStatus(inst, 'stopped', back ? 'node reachable again; not running' : 'not running', {
        health: null,
        ...(back ? { errorMessage: null } : {}),
      });
    }
  }

  private maybeResetRestarts(inst: Instance, dep: Deployment | undefined): void {
    if (inst.restartCount === 0 || !dep?.startedAt) return;
    const policy = this.template(inst)?.template.restart ?? defaultRestartPolicy;
    if (this.d.clock.now() - dep.startedAt >= policy.resetAfterSeconds * 1000) {
      this.d.store.instances.update(inst.id, { restartCount: 0 });
    }
  }

  private finishDeployment(
    dep: Deployment | undefined,
    exitCode: number | null,
    status: InstanceStatus,
    error?: string,
  ) {
    if (!dep || dep.stoppedAt !== null) return;
    this.updateDeployment(dep.id, {
      status,
      exitCode,
      stoppedAt: this.d.clock.now(),
      error: error ?? null,
    });
  }

  /**
   * The workload died on its own: record why, then restart by policy or give up. One that stopped
   * while its node was unreachable (an engine restart stops its containers) is started again at
   * once if the policy restarts it at all, and spends no restart attempt: the node failed, not it.
   */
  private async onExited(
    inst: Instance,
    dep: Deployment,
    seen: ObservedWorkload | undefined,
    duringOutage = false,
  ): Promise<void> {
    const exitCode = seen?.exitCode ?? null;
    const how = exitCode === null ? 'exited (exit code unknown)' : `exited with code ${exitCode}`;
    this.finishDeployment(dep, exitCode, 'error', how);
    if (duringOutage) {
      const policy = this.template(inst)?.template.restart ?? defaultRestartPolicy;
      if (decideRestart(policy, { restartCount: 0 }, exitCode, 'exited').restart) {
        return this.deploy(
          inst,
          `${how} while node ${inst.node} was unreachable; starting it again (no restart attempt counted)`,
        );
      }
    }
    return this.applyRestartPolicy(inst, exitCode, 'exited', how);
  }

  /** Shared by crashes and failed health checks (the observe issue's health monitor calls it). */
  async applyRestartPolicy(
    inst: Instance,
    exitCode: number | null,
    why: 'exited' | 'unhealthy',
    how: string,
  ) {
    const policy = this.template(inst)?.template.restart ?? defaultRestartPolicy;
    const decision = decideRestart(policy, inst, exitCode, why);
    if (!decision.restart) {
      if (why === 'unhealthy') {
        this.d.store.instances.update(inst.id, { errorMessage: `${inst.name} ${how}; ${decision.reason}` });
        return;
      }
      const clean = exitCode === 0 && why === 'exited';
      this.setStatus(inst, clean ? 'stopped' : 'error', `${how}; ${decision.reason}`, {
        desiredState: clean ? 'stopped' : inst.desiredState,
        lastExitCode: exitCode,
        errorMessage: clean ? null : `${inst.name} ${how}; ${decision.reason}`,
        nextRetryAt: null,
        health: null,
      });
      return;
    }
    const at = this.d.clock.now() + decision.delayMs;
    if (why === 'unhealthy') {
      const message = `${inst.name} ${how}; restarting in ${Math.round(decision.delayMs / 100) / 10}s (attempt ${decision.attempt} of ${policy.maxRetries})`;
      this.d.store.instances.update(inst.id, {
        restartCount: decision.attempt,
        errorMessage: message,
        nextRetryAt: at,
      });
      this.d.events.emit({
        type: 'instance.restart',
        instanceId: inst.id,
        instanceName: inst.name,
        message,
        data: { attempt: decision.attempt, delayMs: decision.delayMs, reason: 'unhealthy' },
      });
      this.scheduleRetry(inst.id, decision.delayMs, 'heal');
      return;
    }
    const message = `${inst.name} ${how}; restarting in ${Math.round(decision.delayMs / 100) / 10}s (attempt ${decision.attempt} of ${policy.maxRetries})`;
    const updated = this.setStatus(inst, 'error', message, {
      lastExitCode: exitCode,
      errorMessage: message,
      restartCount: decision.attempt,
      nextRetryAt: at,
      health: null,
    });
    this.d.events.emit({
      type: 'instance.restart',
      instanceId: inst.id,
      instanceName: inst.name,
      message,
      data: { attempt: decision.attempt, delayMs: decision.delayMs, exitCode },
    });
    this.scheduleRetry(updated.id, decision.delayMs);
  }

  private scheduleRetry(id: string, delayMs: number, action: 'converge' | 'heal' = 'converge'): void {
    clearTimeout(this.retryTimers.get(id));
    const timer = setTimeout(() => {
      this.retryTimers.delete(id);
      if (!this.stopped) this.enqueue(id, action).catch(() => undefined);
    }, delayMs);
    timer.unref?.();
    this.retryTimers.set(id, timer);
  }

  private async deploy(inst: Instance, reason: string, refused?: Map<string, string>): Promise<void> {
    const stored = this.template(inst);
    if (!stored) {
      const msg = `template '${inst.template}' no longer exists`;
      this.setStatus(inst, 'error', msg, { errorMessage: msg });
      throw new NotFound('template', inst.template);
    }
    const template = stored.template;
    const runtime = this.d.runtimes.resolve(inst.node, template.source.kind);
    inst = this.setStatus(inst, 'deploying', reason, { errorMessage: null, nextRetryAt: null, health: null });
    const host = this.d.runtimes.hostOf(inst.node);
    const ac = new AbortController();
    this.inflight.set(inst.id, ac);
    let dep: Deployment | undefined;
    try {
      const { ports, changed } = await this.d.ledger.allocate(inst, template, host, { refused });
      for (const c of changed) {
        this.d.events.emit({
          type: 'instance.ports',
          instanceId: inst.id,
          instanceName: inst.name,
          message: `port ${c.name} moved from ${c.from} to ${c.to}: ${c.from} is in use by ${c.usedBy}`,
          data: { ...c },
        });
      }
      await this.d.workspace.create(inst.dataDir);
      const logDir = this.d.workspace.logDir(inst.id);
      await this.d.workspace.create(logDir);
      const spec = buildDeploySpec(template, inst, ports, {
        owner: this.d.owner,
        logDir,
        templateDir: templateDir(stored),
        secrets: this.d.secrets,
      });
      const created: Deployment = {
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
      };
      this.d.store.transaction(() => {
        this.d.store.deployments.insert(created);
        this.d.store.instances.update(inst.id, { currentDeploymentId: created.id });
      });
      dep = created; // only once recorded: a failed insert is reported as itself, not cleaned up after
      const seen = await runtime.deploy(spec, { signal: ac.signal, timeoutMs: spec.readinessTimeoutMs });
      try {
        this.updateDeployment(dep.id, {
          handle: seen.handle,
          status: 'running',
          startedAt: seen.startedAt ?? this.d.clock.now(),
        });
      } catch (err) {
        // A workload berth could not record would run unknown to it: stop it, then fail the deploy.
        await this.discard(runtime, seen.handle, inst.name);
        throw err;
      }
      const fresh = this.d.store.instances.find(inst.id) ?? inst;
      this.setStatus(fresh, 'running', 'deployed and ready', {
        errorMessage: null,
        health: template.health ? 'starting' : null,
      });
    } catch (err) {
      const message = userMessage(err);
      this.finishDeployment(dep, null, 'error', message);
      const retry = !ac.signal.aborted && !refused && dep ? lostBinds(template, inst, err) : undefined;
      if (retry) {
        if (this.inflight.get(inst.id) === ac) this.inflight.delete(inst.id);
        const fresh = this.d.store.instances.find(inst.id) ?? inst;
        return this.deploy(fresh, `retrying on another port: ${message.split('\n')[0]}`, retry);
      }
      const failure =
        err instanceof PortBindFailed && !ac.signal.aborted
          ? await bindConflicts(this.d.ledger, err, inst, template, host)
          : err;
      const fresh = this.d.store.instances.find(inst.id);
      if (fresh) {
        const aborted = ac.signal.aborted;
        this.setStatus(
          fresh,
          aborted ? 'stopped' : 'error',
          aborted ? 'deploy cancelled' : `deploy failed: ${message}`,
          {
            errorMessage: aborted ? null : message,
          },
        );
      }
      if (ac.signal.aborted) {
        throw new Conflict(`the deploy of ${inst.name} was cancelled: ${userMessage(ac.signal.reason)}`, {
          code: 'CANCELLED',
          cause: err,
        });
      }
      if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'deploy failed');
      throw failure;
    } finally {
      if (this.inflight.get(inst.id) === ac) this.inflight.delete(inst.id);
    }
  }

  /**
   * A workload found running for an instance whose deploy never finished (berth died while it
   * waited for readiness): waits for it the way that deploy would have — same strategy, the part
   * of its timeout that is left since the workload started — while the instance stays `deploying`.
   * Ready → `running`. Not ready → stopped and removed, `error`, like a failed deploy. Aborted (a
   * stop, restart or removal, or berth closing) → left as it is for the next action.
   */
  private async awaitAdopted(inst: Instance, dep: Deployment, seen: ObservedWorkload): Promise<void> {
    const stored = this.template(inst);
    if (!stored) {
      this.setStatus(inst, 'running', 'found running', { errorMessage: null });
      return;
    }
    const template = stored.template;
    const runtime = this.runtimeFor(inst, dep);
    const ports = { ...this.leasedPorts(inst), ...seen.ports, ...dep.ports };
    const spec = buildDeploySpec(template, inst, ports, {
      owner: this.d.owner,
      logDir: this.d.workspace.logDir(inst.id),
      templateDir: templateDir(stored),
      secrets: this.d.secrets,
    });
    const startedAt = seen.startedAt ?? dep.startedAt ?? dep.createdAt;
    const left = spec.readinessTimeoutMs - Math.max(0, this.d.clock.now() - startedAt);
    // A workload past its timeout still gets one look: one that is ready now is not failed for it.
    const timeoutMs = Math.max(left, Math.min(spec.readinessTimeoutMs, MIN_ADOPT_WAIT_MS));
    if (inst.status !== 'deploying')
      inst = this.setStatus(inst, 'deploying', 'adopted; waiting for readiness', { errorMessage: null });
    const ac = new AbortController();
    this.inflight.set(inst.id, ac);
    this.adoptions.add(ac);
    try {
      await runtime.awaitReady(seen.handle, spec, { timeoutMs, signal: ac.signal });
    } catch (err) {
      if (ac.signal.aborted) return;
      const message = userMessage(err);
      if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'adopted workload not ready');
      await this.discard(runtime, seen.handle, inst.name);
      this.finishDeployment(dep, null, 'error', message);
      const fresh = this.d.store.instances.find(inst.id);
      if (fresh)
        this.setStatus(fresh, 'error', `deploy failed: ${message}`, { errorMessage: message, health: null });
      return;
    } finally {
      this.adoptions.delete(ac);
      if (this.inflight.get(inst.id) === ac) this.inflight.delete(inst.id);
    }
    if (dep.status !== 'running' || dep.handle?.id !== seen.handle.id) {
      this.updateDeployment(dep.id, {
        handle: seen.handle,
        status: 'running',
        startedAt: dep.startedAt ?? startedAt,
      });
    }
    const fresh = this.d.store.instances.find(inst.id) ?? inst;
    this.setStatus(fresh, 'running', 'adopted; ready', {
      errorMessage: null,
      health: template.health ? 'starting' : null,
    });
  }

  /** Stops and removes a workload that failed readiness, as a runtime's deploy does with its own. */
  private async discard(runtime: Runtime, handle: WorkloadHandle, name: string): Promise<void> {
    try {
      await runtime.kill(handle);
      await runtime.remove(handle);
    } catch (err) {
      this.log.warn(
        { instance: name, err: userMessage(err) },
        'could not remove a workload that was not ready',
      );
    }
  }

  private leasedPorts(inst: Instance): Record<string, number> {
    const host = this.d.runtimes.hostOf(inst.node);
    const out: Record<string, number> = {};
    for (const l of this.d.store.leases.listByOwner(inst.id))
      if (l.portName && l.host === host) out[l.portName] = l.port;
    return out;
  }

  private urlFor(template: Template, ports: Record<string, number>, node: string): string | null {
    const p = primaryHttpPort(template);
    const port = p ? ports[p.name] : undefined;
    const host = this.addressOf(node);
    return port === undefined ? null : `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  }

  private addressOf(node: string): string {
    return this.d.nodeAddress?.(node) ?? this.d.publicHost ?? '127.0.0.1';
  }

  private async stopWorkload(inst: Instance, reason: string): Promise<void> {
    const { dep, seen } = await this.observe(inst);
    if (!dep?.handle || !seen?.running) {
      this.finishDeployment(dep, seen?.exitCode ?? null, 'stopped');
      if (inst.status !== 'stopped')
        this.setStatus(inst, 'stopped', reason, { health: null, nextRetryAt: null });
      return;
    }
    const t = this.template(inst)?.template;
    inst = this.setStatus(inst, 'stopping', reason);
    await this.runtimeFor(inst, dep).stop(dep.handle, (t?.stopTimeoutSeconds ?? 10) * 1000);
    const after = await this.runtimeFor(inst, dep).inspect(dep.handle);
    const code = after?.exitCode ?? null;
    this.finishDeployment(dep, code, 'stopped');
    this.setStatus(inst, 'stopped', code === null ? 'stopped' : `stopped (exit code ${code})`, {
      health: null,
      nextRetryAt: null,
      lastExitCode: code,
    });
  }

  private async killWorkload(inst: Instance): Promise<void> {
    const { dep, seen } = await this.observe(inst);
    if (dep?.handle && seen?.running) await this.runtimeFor(inst, dep).kill(dep.handle);
    this.finishDeployment(dep, null, 'stopped');
    this.setStatus(inst, 'stopped', 'killed', { health: null, nextRetryAt: null });
  }

  private async destroy(inst: Instance, volumes: boolean): Promise<void> {
    clearTimeout(this.retryTimers.get(inst.id));
    const { dep, seen } = await this.observe(inst);
    if (dep?.handle) {
      const runtime = this.runtimeFor(inst, dep);
      if (seen?.running) {
        await runtime.stop(dep.handle, (this.template(inst)?.template.stopTimeoutSeconds ?? 10) * 1000);
      }
      await runtime.remove(dep.handle, { volumes });
    }
  }

  /**
   * After a (re)start of berth: re-read every node, adopt what this installation started, attach
   * workloads whose start was never recorded, report orphans, then converge every instance.
   * Resolves without waiting for the readiness of workloads whose deploy had not finished: those
   * waits run on their instances' chains (see awaitAdopted) while berth serves.
   */
  async recover(): Promise<{ adopted: number; orphans: Orphan[] }> {
    const orphans: Orphan[] = [];
    let adopted = 0;
    const byInstance = new Map<string, { node: string; runtime: Runtime; seen: ObservedWorkload }[]>();
    const settled = new Set<string>();
    /** Found running while their deploy waited for readiness: converged without holding up the start. */
    const waiting = new Set<string>();
    await Promise.all(
      this.d.runtimes.all().map(async ({ node, runtime }) => {
        let seen: ObservedWorkload[];
        try {
          seen = await runtime.list(this.d.owner);
        } catch (err) {
          this.log.warn(
            { node, runtime: runtime.kind, err: userMessage(err) },
            'cannot list workloads; skipping node',
          );
          return;
        }
        for (const w of seen) {
          const inst = w.instanceId ? this.d.store.instances.find(w.instanceId) : undefined;
          if (!inst) {
            orphans.push(orphanOf(node, runtime, w));
            continue;
          }
          const list = byInstance.get(inst.id) ?? [];
          list.push({ node, runtime, seen: w });
          byInstance.set(inst.id, list);
        }
      }),
    );
    for (const [id, found] of byInstance) {
      const inst = this.d.store.instances.find(id)!;
      const dep = this.currentDeployment(inst);
      const mine =
        found.find((f) => dep?.handle && f.seen.handle.id === dep.handle.id) ??
        found.find((f) => f.seen.running);
      for (const f of found) if (f !== mine) orphans.push(orphanOf(f.node, f.runtime, f.seen));
      if (!mine) continue;
      if (!dep?.handle || dep.handle.id !== mine.seen.handle.id)
        this.attach(inst, dep, mine.runtime, mine.seen);
      else if (mine.seen.running && inst.status === 'running' && inst.desiredState === 'running')
        settled.add(id); // its record already says so: nothing to converge
      if (mine.seen.running && inst.desiredState === 'running' && isStarting(inst.status)) waiting.add(id);
      adopted++;
      this.d.events.emit({
        type: 'instance.adopted',
        instanceId: inst.id,
        instanceName: inst.name,
        message: `adopted ${mine.runtime.kind} workload ${mine.seen.handle.id} after a berth restart`,
        data: { handle: mine.seen.handle.id },
      });
    }
    for (const o of orphans) {
      this.log.warn(
        { node: o.node, handle: o.handle.id, instance: o.instanceName },
        'orphan workload (berth label, no record)',
      );
    }
    this.orphanList = orphans;
    for (const id of waiting) this.kick(id);
    const rest = this.d.store.instances.list().filter((i) => !settled.has(i.id) && !waiting.has(i.id));
    await Promise.all(rest.map((i) => this.enqueue(i.id).catch(() => undefined)));
    return { adopted, orphans };
  }

  /** A workload started but never recorded (berth died mid-deploy): make it the current deployment. */
  private attach(
    inst: Instance,
    dep: Deployment | undefined,
    runtime: Runtime,
    seen: ObservedWorkload,
  ): void {
    this.d.store.transaction(() => {
      if (dep && dep.stoppedAt === null) {
        this.updateDeployment(dep.id, {
          handle: seen.handle,
          status: 'running',
          startedAt: seen.startedAt,
        });
        return;
      }
      const id = this.d.newId();
      this.d.store.deployments.insert({
        id,
        instanceId: inst.id,
        node: inst.node,
        runtime: runtime.kind,
        handle: seen.handle,
        ports: seen.ports,
        url: null,
        status: seen.running ? 'running' : 'stopped',
        startedAt: seen.startedAt,
        stoppedAt: null,
        exitCode: seen.exitCode,
        error: null,
        createdAt: this.d.clock.now(),
      });
      this.d.store.instances.update(inst.id, { currentDeploymentId: id });
    });
  }

  orphans(): Orphan[] {
    return this.orphanList;
  }

  /** Re-lists orphans now (for gc). */
  async findOrphans(): Promise<Orphan[]> {
    const out: Orphan[] = [];
    for (const { node, runtime } of this.d.runtimes.all()) {
      const seen = await runtime.list(this.d.owner);
      for (const w of seen) {
        const inst = w.instanceId ? this.d.store.instances.find(w.instanceId) : undefined;
        const dep = inst ? this.currentDeployment(inst) : undefined;
        if (!inst || (dep?.handle && dep.handle.id !== w.handle.id && dep.handle.runtime === runtime.kind)) {
          out.push(orphanOf(node, runtime, w));
        }
      }
    }
    this.orphanList = out;
    return out;
  }

  /** Removes an orphan workload (it carries this installation's labels, by construction of list()). */
  async removeOrphan(o: Orphan): Promise<void> {
    const runtime = this.d.runtimes.byKind(o.node, o.runtime);
    if (o.running) await runtime.kill(o.handle);
    await runtime.remove(o.handle, { volumes: true });
  }

  /** Periodic pass: notices exits, retries that are due, unreachable nodes coming back. */
  startTicking(intervalMs: number): void {
    this.tickTimer = setInterval(
      () =>
        void this.tick().catch((err) => {
          // A pass that could not read or write its records (the store logs those) runs again next tick.
          if (!isBerthError(err)) this.log.error({ err }, 'reconciler pass failed');
        }),
      intervalMs,
    );
    this.tickTimer.unref?.();
  }

  /**
   * One pass over every instance. Each runtime is asked once for all its workloads (`list`), and a
   * converge is queued only for an instance that needs one: its workload is gone or is not the one
   * recorded, it should stop, its node is unreachable, or a retry is due. With 1,000 healthy
   * instances a pass queues nothing (one converge chain each per second was most of the idle CPU,
   * the garbage and the event-loop stalls on the API's tail). Resolves once every runtime answered
   * and the converges are queued (not done).
   */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.d.clock.now();
    const templates = new Map<string, StoredTemplate | undefined>();
    const templateOf = (inst: Instance) => {
      if (!templates.has(inst.template)) templates.set(inst.template, this.template(inst));
      return templates.get(inst.template);
    };
    const groups = new Map<string, RunningGroup>();
    const referenced = new Set<string>();
    for (const inst of this.d.store.instances.list()) {
      if (inst.currentDeploymentId) referenced.add(inst.currentDeploymentId);
      if (this.chains.has(inst.id)) continue;
      if (inst.status === 'running' && inst.desiredState === 'running') {
        const dep = this.cachedDeployment(inst.currentDeploymentId);
        if (!dep?.handle) {
          this.kick(inst.id);
          continue;
        }
        const key = `${inst.node}|${dep.runtime}`;
        const group = groups.get(key) ?? { node: inst.node, kind: dep.runtime, items: [] };
        groups.set(key, group);
        group.items.push({ inst, dep, handle: dep.handle });
        this.checkHealth(inst, dep, templateOf(inst)?.template.health, now);
      } else if (
        inst.status === 'running' ||
        inst.status === 'unreachable' ||
        // A stopped container on another host is looked at too, so that host going away shows on
        // all of its instances, not only the running ones.
        (inst.status === 'stopped' && inst.node !== LOCAL_NODE && inst.currentDeploymentId !== null) ||
        (inst.desiredState === 'running' && inst.nextRetryAt !== null && inst.nextRetryAt <= now)
      ) {
        this.kick(inst.id);
      }
    }
    for (const id of this.deploymentCache.keys()) if (!referenced.has(id)) this.deploymentCache.delete(id);
    for (const [id, t] of this.trackers) if (!referenced.has(t.deploymentId)) this.trackers.delete(id);
    await Promise.all([...groups].map(([key, group]) => this.observeGroup(key, group)));
  }

  /** Every write of a deployment goes through here, so the tick's cache never serves an old one. */
  private updateDeployment(id: string, patch: Parameters<Store['deployments']['update']>[1]): void {
    this.d.store.deployments.update(id, patch);
    this.deploymentCache.delete(id);
  }

  /** Deployments read by the tick, cached by id (see `deploymentCache`). */
  private cachedDeployment(id: string | null): Deployment | undefined {
    if (!id) return undefined;
    let dep = this.deploymentCache.get(id);
    if (!dep) {
      dep = this.d.store.deployments.find(id);
      if (dep) this.deploymentCache.set(id, dep);
    }
    return dep;
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
      for (const { inst } of group.items) if (!this.chains.has(inst.id)) this.kick(inst.id);
      return;
    }
    const running = new Map<string, ObservedWorkload>();
    for (const w of seen) if (w.running) running.set(w.handle.id, w);
    for (const { inst, dep, handle } of group.items) {
      if (this.chains.has(inst.id)) continue;
      if (running.get(handle.id)?.instanceId !== inst.id) this.kick(inst.id);
      else if (inst.restartCount > 0) {
        const fresh = this.d.store.instances.find(inst.id);
        if (fresh?.status === 'running' && fresh.currentDeploymentId === dep.id)
          this.maybeResetRestarts(fresh, dep);
      }
    }
  }

  /** Runs the instance's health check when due (never two at once); the result may restart it. */
  private checkHealth(inst: Instance, dep: Deployment, check: HealthCheck | undefined, now: number): void {
    const probe = this.d.health;
    if (!probe || !check) return;
    let entry = this.trackers.get(inst.id);
    if (!entry || entry.deploymentId !== dep.id) {
      entry = { deploymentId: dep.id, tracker: new HealthTracker(check, dep.startedAt ?? now) };
      this.trackers.set(inst.id, entry);
    }
    const { tracker } = entry;
    if (!tracker.due(now)) return;
    const target = healthTarget(check, dep.ports, {
      host: this.addressOf(inst.node),
      cwd: inst.dataDir,
      env: {},
    });
    if (!target) return;
    tracker.inflight = true;
    probe
      .check(target, check.timeoutSeconds * 1000)
      .catch((err): HealthResult => ({ ok: false, message: userMessage(err) }))
      .then((result) => this.onHealth(inst.id, dep.id, tracker, result))
      // Recording the result failed (a full disk: the store logged it): the next check tries again.
      .catch((err) => {
        if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'health result not recorded');
      })
      .finally(() => {
        tracker.inflight = false;
      });
  }

  private onHealth(id: string, deploymentId: string, tracker: HealthTracker, result: HealthResult): void {
    const inst = this.d.store.instances.find(id);
    if (!inst || inst.currentDeploymentId !== deploymentId || inst.status !== 'running') return;
    const health = tracker.record(result.ok, this.d.clock.now());
    if (health === inst.health) return;
    const updated = this.d.store.instances.update(id, { health });
    this.d.events.emit({
      type: 'instance.health',
      instanceId: id,
      instanceName: inst.name,
      message: health === 'unhealthy' ? `unhealthy: ${result.message}` : `${health}: ${result.message}`,
      data: { from: inst.health, to: health, failures: tracker.consecutiveFailures },
    });
    // Not skipped while a converge is queued: that would leave it unhealthy with no restart.
    if (health === 'unhealthy') {
      void this.applyRestartPolicy(updated, null, 'unhealthy', `is unhealthy (${result.message})`);
    } else if (health === 'healthy' && inst.errorMessage) {
      this.d.store.instances.update(id, { errorMessage: null });
    }
  }

  /** Stops the periodic pass and cancels in-flight deploys; waits for queued actions. */
  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tickTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    for (const ac of this.adoptions) ac.abort(new Error('berth is shutting down'));
    await Promise.allSettled([...this.chains.values()]);
  }
}

interface RunningGroup {
  node: string;
  kind: string;
  items: { inst: Instance; dep: Deployment; handle: WorkloadHandle }[];
}

/** The record of an instance whose deploy had not finished. */
function isStarting(status: InstanceStatus): boolean {
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
  };
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
