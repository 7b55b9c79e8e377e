import { InvalidInput } from './errors.js';
import type { ObservedReplicas } from './runtime.js';
import type { RestartPolicy } from './template.js';

export const INSTANCE_STATUSES = [
  'pending',
  'deploying',
  'running',
  'stopping',
  'stopped',
  'error',
  'unreachable',
  /** A service berth does not run (template source `external`): never running or stopped. */
  'external',
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
export type DesiredState = 'running' | 'stopped';
export type Health = 'starting' | 'healthy' | 'unhealthy';
export type ConfigValue = string | number | boolean;

export interface Instance {
  id: string;
  name: string;
  template: string;
  node: string;
  config: Record<string, ConfigValue>;
  /** Ports the user pinned: port name → host port. Stored on this instance only. */
  portOverrides: Record<string, number>;
  desiredState: DesiredState;
  status: InstanceStatus;
  health: Health | null;
  /** Words for a person; never a stack trace. */
  errorMessage: string | null;
  restartCount: number;
  lastExitCode: number | null;
  nextRetryAt: number | null;
  currentDeploymentId: string | null;
  dataDir: string;
  /** This instance's own replica count (`create --replicas`, `scale`); absent or null: the template's. */
  replicas?: number | null;
  /**
   * The replicas its runtime last reported (runtimes that scale), written beside the status by the
   * reconciler's records when they change: observed state, read only while the instance runs.
   */
  observedReplicas?: ObservedReplicas | null;
  /** Environment variables this instance adds to its template's (`berth edit --env`); absent: none. */
  env?: Record<string, string> | null;
  /** This instance's restart policy (`berth edit`); absent or null: its template's. */
  restart?: RestartPolicy | null;
  /** Labels for choosing instances together (`berth stop --label team=web`); absent: none. */
  labels?: Record<string, string> | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * Which observed-status changes are legal. `error` and `unreachable` may be entered from anywhere;
 * the reconciler's records (`reconcile/records.ts`) are the only writer, and check every change
 * against this table. A workload found running after a berth restart may be recorded `pending`
 * or `stopped` (its deploy never finished, or it outlived its record), so those may go straight to
 * `running` or `stopping`; a stop that failed half-way leaves `stopping`, from which a start deploys.
 * `external` is a status apart: an external instance has it from create to remove, health aside.
 */
const NEXT: Record<InstanceStatus, readonly InstanceStatus[]> = {
  pending: ['deploying', 'stopped', 'running', 'stopping'],
  deploying: ['running', 'stopping', 'stopped'],
  running: ['stopping', 'stopped', 'deploying'],
  stopping: ['stopped', 'running', 'deploying'],
  stopped: ['deploying', 'running', 'stopping'],
  error: ['deploying', 'stopped', 'stopping', 'running'],
  unreachable: ['running', 'stopped', 'deploying', 'stopping'],
  // Recorded at create and kept: nothing runs, so nothing moves it (nor into it).
  external: [],
};

export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  if (from === to) return true;
  if (from === 'external' || to === 'external') return false;
  if (to === 'error' || to === 'unreachable') return true;
  return NEXT[from].includes(to);
}

export function assertTransition(from: InstanceStatus, to: InstanceStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidInput(`an instance cannot go from ${from} to ${to}`, { code: 'INVALID_TRANSITION' });
  }
}
