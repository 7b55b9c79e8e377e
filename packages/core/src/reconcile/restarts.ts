import type { CancelTimer, Clock } from '../clock.js';
import type { Deployment } from '../deployment.js';
import type { Instance } from '../instance.js';
import { LOCAL_NODE } from '../node.js';
import { decideRestart } from '../restart-decision.js';
import type { ObservedWorkload } from '../runtime.js';
import type { Lookup } from './lookup.js';
import type { Records } from './records.js';

export interface RestartHooks {
  /** Deploys the instance again now (a workload stopped by its node's outage). */
  deploy(inst: Instance, reason: string): Promise<void>;
  /** Queues the retry that fell due. */
  retry(id: string, action: 'converge' | 'heal'): void;
}

/**
 * The restart policy, one for crashes and failed health checks: restart after a backoff on the
 * Clock's timers, or give up; and the reset of the attempt count once a workload stayed up.
 */
export class Restarts {
  private readonly timers = new Map<string, CancelTimer>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly records: Records,
    private readonly lookup: Lookup,
    /** When this machine last booted; see ReconcilerDeps.hostBootedAt. */
    private readonly hostBootedAt: number | undefined,
    private readonly hooks: RestartHooks,
  ) {}

  /**
   * The workload died on its own: record why, then restart by policy or give up. One that stopped
   * while its node was unreachable (an engine restart stops its containers) is started again at
   * once if the policy restarts it at all, and spends no restart attempt: the node failed, not it.
   * One of node local that started before this machine last booted was ended by the reboot: it is
   * started again whatever the policy, as its desired state says (what `berth startup` promises).
   */
  async onExited(
    inst: Instance,
    dep: Deployment,
    seen: ObservedWorkload | undefined,
    duringOutage: boolean,
  ): Promise<void> {
    const exitCode = seen?.exitCode ?? null;
    const how = exitCode === null ? 'exited (exit code unknown)' : `exited with code ${exitCode}`;
    this.records.finishDeployment(dep, exitCode, 'error', how);
    if (this.endedByReboot(inst, dep)) {
      return this.hooks.deploy(inst, `${how}: this machine restarted since it started; starting it again`);
    }
    const policy = this.lookup.restartPolicy(inst);
    if (duringOutage && decideRestart(policy, { restartCount: 0 }, exitCode, 'exited').restart) {
      const reason = `${how} while node ${inst.node} was unreachable; starting it again (no restart attempt counted)`;
      return this.hooks.deploy(inst, reason);
    }
    return this.apply(inst, exitCode, 'exited', how);
  }

  /** Restarts by policy after a crash (`exited`) or a failed health check (`unhealthy`), or gives up. */
  async apply(inst: Instance, exitCode: number | null, why: 'exited' | 'unhealthy', how: string) {
    const policy = this.lookup.restartPolicy(inst);
    const decision = decideRestart(policy, inst, exitCode, why);
    if (!decision.restart) return this.giveUp(inst, exitCode, why, `${how}; ${decision.reason}`);
    const { attempt, delayMs } = decision;
    const message = `${inst.name} ${how}; restarting in ${Math.round(delayMs / 100) / 10}s (attempt ${attempt} of ${policy.maxRetries})`;
    const nextRetryAt = this.clock.now() + delayMs;
    if (why === 'unhealthy') {
      this.records.patch(inst.id, { restartCount: attempt, errorMessage: message, nextRetryAt });
      this.records.restartScheduled(inst, message, { attempt, delayMs, reason: 'unhealthy' });
      return this.schedule(inst.id, delayMs, 'heal');
    }
    const updated = this.records.status(inst, 'error', message, {
      lastExitCode: exitCode,
      errorMessage: message,
      restartCount: attempt,
      nextRetryAt,
      health: null,
    });
    this.records.restartScheduled(inst, message, { attempt, delayMs, exitCode });
    this.schedule(updated.id, delayMs, 'converge');
  }

  /** Sets the attempt count back to 0 once the workload ran for the policy's reset time. */
  maybeReset(inst: Instance, dep: Deployment | undefined): void {
    if (inst.restartCount === 0 || !dep?.startedAt) return;
    const policy = this.lookup.restartPolicy(inst);
    if (this.clock.now() - dep.startedAt >= policy.resetAfterSeconds * 1000) {
      this.records.patch(inst.id, { restartCount: 0 });
    }
  }

  private endedByReboot(inst: Instance, dep: Deployment): boolean {
    const booted = this.hostBootedAt;
    return (
      inst.node === LOCAL_NODE && booted !== undefined && dep.startedAt !== null && dep.startedAt < booted
    );
  }

  /** Forgets the instance's pending retry. */
  cancel(id: string): void {
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  close(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private giveUp(inst: Instance, exitCode: number | null, why: 'exited' | 'unhealthy', words: string) {
    if (why === 'unhealthy') {
      this.records.patch(inst.id, { errorMessage: `${inst.name} ${words}` });
      return;
    }
    const clean = exitCode === 0;
    this.records.status(inst, clean ? 'stopped' : 'error', words, {
      desiredState: clean ? 'stopped' : inst.desiredState,
      lastExitCode: exitCode,
      errorMessage: clean ? null : `${inst.name} ${words}`,
      nextRetryAt: null,
      health: null,
    });
  }

  private schedule(id: string, delayMs: number, action: 'converge' | 'heal'): void {
    this.cancel(id);
    const cancel = this.clock.setTimeout(() => {
      this.timers.delete(id);
      if (!this.stopped) this.hooks.retry(id, action);
    }, delayMs);
    this.timers.set(id, cancel);
  }
}
