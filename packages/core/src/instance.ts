import { InvalidInput } from './errors.js';

export const INSTANCE_STATUSES = [
  'pending',
  'deploying',
  'running',
  'stopping',
  'stopped',
  'error',
  'unreachable',
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
  createdAt: number;
  updatedAt: number;
}

/**
 * Which observed-status changes are legal. `error` and `unreachable` may be entered from anywhere;
 * the reconciler is the only writer, and this table keeps it honest.
 */
const NEXT: Record<InstanceStatus, readonly InstanceStatus[]> = {
  pending: ['deploying', 'stopped'],
  deploying: ['running', 'stopping', 'stopped'],
  running: ['stopping', 'stopped', 'deploying'],
  stopping: ['stopped', 'running'],
  stopped: ['deploying', 'running'],
  error: ['deploying', 'stopped', 'stopping', 'running'],
  unreachable: ['running', 'stopped', 'deploying', 'stopping'],
};

export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  if (from === to || to === 'error' || to === 'unreachable') return true;
  return NEXT[from].includes(to);
}

export function assertTransition(from: InstanceStatus, to: InstanceStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidInput(`an instance cannot go from ${from} to ${to}`, { code: 'INVALID_TRANSITION' });
  }
}
