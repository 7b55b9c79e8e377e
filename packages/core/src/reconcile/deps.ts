import type { Clock } from '../clock.js';
import type { EventBus } from '../event-bus.js';
import type { HealthProbe } from '../health.js';
import type { Instance } from '../instance.js';
import type { Logger } from '../logger.js';
import type { PortLedger } from '../port-ledger.js';
import type { RuntimeResolver, Workspace } from '../runtime-resolver.js';
import type { SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import type { Template } from '../template.js';

/** Told how each action of the reconciler went (metrics); it must not throw or block. */
export interface ActionObserver {
  observe(action: string, seconds: number, outcome: 'ok' | 'error'): void;
}

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
  /** Times every action run from the queue (converge, restart, heal, kill, destroy). */
  actions?: ActionObserver;
  /**
   * When this machine last booted (ms since the epoch). A workload of node local that started
   * before it was ended by the reboot, not by a crash: it is started again whatever its policy.
   */
  hostBootedAt?: number;
  /**
   * Before a deploy: the instance's pinned version installed (installed now when it is not) and
   * its folder, if it has one (`VersionService.ensure`). A failed install fails the deploy.
   */
  versions?: { ensure(template: Template, inst: Instance): Promise<string | undefined> };
}

/** Where an instance's published ports are reached: its node's address (IPv6 as it is, no brackets). */
export function addressOf(d: Pick<ReconcilerDeps, 'nodeAddress' | 'publicHost'>, node: string): string {
  return d.nodeAddress?.(node) ?? d.publicHost ?? '127.0.0.1';
}
