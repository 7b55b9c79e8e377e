import type { Deployment } from '../deployment.js';
import { isBerthError, userMessage } from '../errors.js';
import { type HealthResult, HealthTracker, healthTarget } from '../health.js';
import type { Instance } from '../instance.js';
import { externalAddress, externalPorts } from '../instance-external.js';
import type { Logger } from '../logger.js';
import type { HealthCheck, Template } from '../template.js';
import { addressOf, type ReconcilerDeps } from './deps.js';
import type { Records } from './records.js';
import type { Restarts } from './restarts.js';

/** The tracker key of an external instance's checks (it has no deployment). */
export const externalKey = (id: string): string => `external:${id}`;

/** Runs templates' health checks when due (never two at once per instance); results may restart it. */
export class HealthMonitor {
  private readonly trackers = new Map<string, { deploymentId: string; tracker: HealthTracker }>();

  constructor(
    private readonly d: ReconcilerDeps,
    private readonly records: Records,
    private readonly restarts: Restarts,
    private readonly log: Logger,
  ) {}

  check(inst: Instance, dep: Deployment, check: HealthCheck | undefined, now: number): void {
    const probe = this.d.health;
    if (!probe || !check) return;
    const tracker = this.trackerFor(inst, dep, check, now);
    if (!tracker.due(now)) return;
    const target = healthTarget(check, dep.ports, {
      host: addressOf(this.d, inst.node),
      cwd: inst.dataDir,
      env: {},
    });
    if (!target) return;
    tracker.inflight = true;
    probe
      .check(target, check.timeoutSeconds * 1000)
      .catch((err): HealthResult => ({ ok: false, message: userMessage(err) }))
      .then((result) => this.onResult(inst.id, dep.id, tracker, result))
      // Recording the result failed (a full disk: the store logged it): the next check tries again.
      .catch((err) => {
        if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'health result not recorded');
      })
      .finally(() => {
        tracker.inflight = false;
      });
  }

  /**
   * An external instance's check, against the external host and the ports it listens on; a result
   * sets its health (never its status) and restarts nothing: berth does not run it.
   */
  checkExternal(inst: Instance, template: Template | undefined, now: number): void {
    const probe = this.d.health;
    const check = template?.health;
    const where = template && externalAddress(template);
    if (!probe || !check || !where) return;
    const tracker = this.trackerFor(
      inst,
      { id: externalKey(inst.id), startedAt: inst.createdAt },
      check,
      now,
    );
    if (!tracker.due(now)) return;
    const target = healthTarget(check, externalPorts(template), {
      host: where.host,
      cwd: inst.dataDir,
      env: {},
    });
    if (!target) return;
    tracker.inflight = true;
    probe
      .check(target, check.timeoutSeconds * 1000)
      .catch((err): HealthResult => ({ ok: false, message: userMessage(err) }))
      .then((result) => {
        const fresh = this.d.store.instances.find(inst.id);
        if (fresh?.status !== 'external') return;
        const health = tracker.record(result.ok, this.d.clock.now());
        if (health !== fresh.health)
          this.records.health(fresh, health, `${health}: ${result.message}`, tracker.consecutiveFailures);
      })
      .catch((err) => {
        if (!isBerthError(err)) this.log.error({ instance: inst.name, err }, 'health result not recorded');
      })
      .finally(() => {
        tracker.inflight = false;
      });
  }

  /** Forgets trackers of deployments no instance refers to any more. */
  prune(referenced: ReadonlySet<string>): void {
    for (const [id, t] of this.trackers) if (!referenced.has(t.deploymentId)) this.trackers.delete(id);
  }

  private trackerFor(
    inst: Instance,
    dep: Pick<Deployment, 'id' | 'startedAt'>,
    check: HealthCheck,
    now: number,
  ): HealthTracker {
    let entry = this.trackers.get(inst.id);
    if (!entry || entry.deploymentId !== dep.id) {
      entry = { deploymentId: dep.id, tracker: new HealthTracker(check, dep.startedAt ?? now) };
      this.trackers.set(inst.id, entry);
    }
    return entry.tracker;
  }

  private onResult(id: string, deploymentId: string, tracker: HealthTracker, result: HealthResult): void {
    const inst = this.d.store.instances.find(id);
    if (!inst || inst.currentDeploymentId !== deploymentId || inst.status !== 'running') return;
    const health = tracker.record(result.ok, this.d.clock.now());
    if (health === inst.health) return;
    const message = health === 'unhealthy' ? `unhealthy: ${result.message}` : `${health}: ${result.message}`;
    const updated = this.records.health(inst, health, message, tracker.consecutiveFailures);
    // Not skipped while a converge is queued: that would leave it unhealthy with no restart.
    if (health === 'unhealthy') {
      void this.restarts.apply(updated, null, 'unhealthy', `is unhealthy (${result.message})`);
    } else if (health === 'healthy' && inst.errorMessage) {
      this.records.patch(id, { errorMessage: null });
    }
  }
}
