import type { Deployment } from './deployment.js';
import { isBerthError, RuntimeUnavailable } from './errors.js';
import type { Instance } from './instance.js';
import type { Logger } from './logger.js';
import { type Action, type ActionOptions, ActionQueue } from './reconcile/action-queue.js';
import { Adoptions } from './reconcile/adopt.js';
import { Deployer } from './reconcile/deploy.js';
import type { ReconcilerDeps } from './reconcile/deps.js';
import { HealthMonitor } from './reconcile/health-monitor.js';
import { Lookup, type Observed } from './reconcile/lookup.js';
import { type InstancePatch, Records } from './reconcile/records.js';
import { isStarting, type Orphan, Recovery } from './reconcile/recovery.js';
import { Restarts } from './reconcile/restarts.js';
import { Scaler } from './reconcile/scale.js';
import { Stopper } from './reconcile/stop.js';
import { type FoundWorkload, TakeOvers } from './reconcile/take-over.js';
import { Watch } from './reconcile/watch.js';

export type { ActionObserver, ReconcilerDeps } from './reconcile/deps.js';
export type { Orphan } from './reconcile/recovery.js';
export type { FoundWorkload } from './reconcile/take-over.js';

/**
 * Makes the world match the desired state. The only code that asks a runtime to change anything:
 * one action at a time per instance, many instances in parallel. It converges and runs actions;
 * its rooms (`reconcile/`) deploy, stop, restart, recover, watch and check health, and write
 * every status through `Records`.
 */
export class Reconciler {
  private readonly log: Logger;
  private readonly records: Records;
  private readonly lookup: Lookup;
  private readonly queue = new ActionQueue((id, action, opts) => this.timed(id, action, opts));
  private readonly deployer: Deployer;
  private readonly adoptions: Adoptions;
  private readonly restarts: Restarts;
  private readonly stopper: Stopper;
  private readonly scaler: Scaler;
  private readonly recovery: Recovery;
  private readonly health: HealthMonitor;
  private readonly watch: Watch;
  private readonly takeOvers: TakeOvers;

  constructor(private readonly d: ReconcilerDeps) {
    this.log = d.log.child({ ns: 'reconciler' });
    this.records = new Records(d);
    this.lookup = new Lookup(d);
    this.deployer = new Deployer(d, this.records, this.lookup, this.queue, this.log, {
      exitedBeforeReady: (inst, exitCode, how) => this.restarts.apply(inst, exitCode, 'exited', how),
    });
    this.adoptions = new Adoptions(d, this.records, this.lookup, this.queue, this.deployer, this.log);
    this.restarts = new Restarts(d.clock, this.records, this.lookup, d.hostBootedAt, {
      deploy: (inst, reason) => this.deployer.deploy(inst, reason),
      retry: (id, action) => this.enqueue(id, action).catch(() => undefined),
    });
    this.stopper = new Stopper(this.records, this.lookup, this.restarts);
    this.scaler = new Scaler(d, this.records, this.lookup, this.queue, this.deployer, {
      restart: (inst) => this.restart(inst),
      converge: (inst) => this.converge(inst),
    });
    this.recovery = new Recovery(d, this.records, this.lookup, this.hooks(), this.log);
    this.health = new HealthMonitor(d, this.records, this.restarts, this.log);
    this.watch = new Watch(d, { ...this.rooms(), kick: (id) => this.kick(id) }, this.log);
    this.takeOvers = new TakeOvers(d, this.records, this.lookup);
  }

  /** Queues an action for the instance; resolves when it is done, rejects with its domain error. */
  enqueue(id: string, action: Action = 'converge', opts: ActionOptions = {}): Promise<void> {
    return this.queue.enqueue(id, action, opts);
  }

  /** Stop request while a deploy is in flight: abort it instead of waiting for its readiness timeout. */
  abortDeploy(id: string): void {
    this.queue.abort(id, 'stop requested');
  }

  /** Fire-and-forget version of enqueue for background callers. */
  kick(id: string): void {
    this.enqueue(id).catch((err) => {
      if (!isBerthError(err)) this.log.error({ instance: id, err }, 'reconcile failed');
    });
  }

  /** A start request: the desired-state `patch`, and a given-up `error` cleared to `stopped`. */
  prepareStart(inst: Instance, patch: InstancePatch): Instance {
    return this.records.clearError(inst, patch);
  }

  /** Shared by crashes and failed health checks. */
  applyRestartPolicy(inst: Instance, exitCode: number | null, why: 'exited' | 'unhealthy', how: string) {
    return this.restarts.apply(inst, exitCode, why, how);
  }

  recover(): Promise<{ adopted: number; orphans: Orphan[] }> {
    return this.recovery.recover();
  }

  orphans(): Orphan[] {
    return this.recovery.orphans();
  }

  /** Re-lists orphans now (for gc). */
  findOrphans(): Promise<Orphan[]> {
    return this.recovery.findOrphans();
  }

  removeOrphan(o: Orphan): Promise<void> {
    return this.recovery.removeOrphan(o);
  }

  /** A workload another system named `name` on the node (for an import), or undefined. */
  findNamed(node: string, name: string): Promise<FoundWorkload | undefined> {
    return this.takeOvers.find(node, name);
  }

  /** Records a running workload berth did not start as a new stopped instance's, instead of starting one. */
  takeOver(inst: Instance, found: FoundWorkload, ports: Record<string, number>): Promise<Instance> {
    return this.takeOvers.takeOver(inst, found, ports);
  }

  /** A deployment as the reconciler keeps it in memory (it writes every one): no query when kept. */
  deployment(id: string): Deployment | undefined {
    return this.records.cachedDeployment(id);
  }

  /** Periodic pass: notices exits, retries that are due, unreachable nodes coming back. */
  startTicking(intervalMs: number): void {
    this.watch.start(intervalMs);
  }

  tick(): Promise<void> {
    return this.watch.tick();
  }

  /** Stops the periodic pass and cancels in-flight deploys; waits for queued actions. */
  async close(): Promise<void> {
    this.watch.close();
    this.restarts.close();
    this.adoptions.close();
    await this.queue.drain();
  }

  private rooms() {
    const { records, lookup, queue, health, restarts } = this;
    return { records, lookup, queue, health, restarts };
  }

  private hooks() {
    return {
      kick: (id: string) => this.kick(id),
      converge: (id: string) => this.enqueue(id),
    };
  }

  private async timed(id: string, action: Action, opts: ActionOptions): Promise<void> {
    const observer = this.d.actions;
    if (!observer) return this.run(id, action, opts);
    const started = this.d.clock.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      await this.run(id, action, opts);
      outcome = 'ok';
    } finally {
      observer.observe(action, (this.d.clock.now() - started) / 1000, outcome);
    }
  }

  private async run(id: string, action: Action, opts: ActionOptions): Promise<void> {
    const inst = this.d.store.instances.find(id);
    // An external instance has no workload: nothing to converge, stop or destroy.
    if (!inst || inst.status === 'external') return;
    switch (action) {
      case 'converge':
        return this.converge(inst);
      case 'restart':
        return this.restart(inst);
      case 'rollout':
        return this.rollout(inst);
      case 'scale':
        return this.scaler.scale(inst);
      case 'heal':
        // A stop that came after the restart was scheduled wins (its workload may be gone already).
        if (inst.desiredState !== 'running') return this.converge(inst);
        await this.stopper.stop(inst, 'unhealthy');
        return this.deployer.deploy(
          this.d.store.instances.find(id) ?? inst,
          `restart attempt ${inst.restartCount} (unhealthy)`,
        );
      case 'kill':
        return this.stopper.kill(inst);
      case 'destroy':
        return this.stopper.destroy(inst, { volumes: opts.volumes ?? false, data: !opts.keepData });
    }
  }

  private async restart(inst: Instance): Promise<void> {
    await this.stopper.stop(inst, 'restart requested');
    return this.deployer.deploy(
      this.records.patch(inst.id, { restartCount: 0, nextRetryAt: null }),
      'restart requested',
    );
  }

  /**
   * Runs the instance's stored spec (an applied edit, a rollback): a workload of several replicas
   * on a runtime that scales is updated in place by its runtime, which replaces its replicas a few
   * at a time (a Swarm service update, a Deployment's rollout), so some keep answering; anything
   * else — one workload, another node to move to — is stopped, then deployed.
   */
  private async rollout(inst: Instance): Promise<void> {
    const { dep, seen } = await this.lookup.observe(inst);
    const runtime = dep?.handle && seen?.running ? this.lookup.runtimeFor(inst, dep) : undefined;
    const several = (seen?.replicas?.desired ?? dep?.spec?.replicas ?? 1) > 1;
    if (!dep || !runtime?.scales || !several || dep.node !== inst.node) return this.restart(inst);
    await this.deployer.deploy(
      this.records.patch(inst.id, { restartCount: 0, nextRetryAt: null }),
      'rolling update',
    );
    this.records.finishDeployment(dep, null, 'stopped');
  }

  private async converge(inst: Instance): Promise<void> {
    const observed = await this.observe(inst);
    if (!observed) return;
    if (inst.desiredState === 'running') return this.convergeRunning(inst, observed);
    return this.convergeStopped(inst, observed);
  }

  /** The observed workload, or undefined when its node is unreachable (recorded as such). */
  private async observe(inst: Instance): Promise<Observed | undefined> {
    try {
      return await this.lookup.observe(inst);
    } catch (err) {
      if (!(err instanceof RuntimeUnavailable)) throw err;
      if (inst.status !== 'unreachable')
        this.records.status(inst, 'unreachable', err.message, { errorMessage: err.message });
      return undefined;
    }
  }

  private async convergeRunning(inst: Instance, { dep, seen }: Observed): Promise<void> {
    // Found while its deploy was still waiting (berth died mid-deploy): not running until ready.
    if (seen?.running && dep && isStarting(inst.status)) return this.adoptions.awaitReady(inst, dep, seen);
    if (seen?.running) {
      if (inst.status === 'running') return this.restarts.maybeReset(inst, dep);
      const reason = inst.status === 'unreachable' ? 'node reachable again' : 'found running';
      this.records.status(inst, 'running', reason, { errorMessage: null });
      return;
    }
    if (dep && (inst.status === 'running' || inst.status === 'unreachable')) {
      // Found stopped as its node comes back: the outage stopped it, not the workload.
      return this.restarts.onExited(inst, dep, seen, inst.status === 'unreachable');
    }
    if (inst.nextRetryAt !== null && inst.nextRetryAt > this.d.clock.now()) return;
    if (inst.status === 'error' && inst.nextRetryAt === null) return; // gave up; a start request clears this
    const reason = inst.status === 'error' ? `restart attempt ${inst.restartCount}` : 'start requested';
    return this.deployer.deploy(inst, reason);
  }

  private async convergeStopped(inst: Instance, { dep, seen }: Observed): Promise<void> {
    if (seen?.running) return this.stopper.stop(inst, 'stop requested');
    if (inst.status === 'error' && inst.nextRetryAt !== null) {
      // Stopped while it waited to restart: no restart comes, so "restarting in 5s" would be a lie.
      // The crash stays in lastExitCode and the events.
      this.restarts.cancel(inst.id);
      this.records.status(inst, 'stopped', 'stop requested; the pending restart is cancelled', {
        nextRetryAt: null,
        errorMessage: null,
        health: null,
      });
      return;
    }
    if (inst.status === 'stopped' || inst.status === 'error') return;
    this.records.finishDeployment(dep, seen?.exitCode ?? null, 'stopped');
    const back = inst.status === 'unreachable';
    this.records.status(inst, 'stopped', back ? 'node reachable again; not running' : 'not running', {
      health: null,
      ...(back ? { errorMessage: null } : {}),
    });
  }
}
