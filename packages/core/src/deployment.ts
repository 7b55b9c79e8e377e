import type { InstanceStatus } from './instance.js';

/** Opaque, runtime-owned identity of a workload: pid + start time, container id, service id… */
export interface WorkloadHandle {
  runtime: string;
  /** pid as text, container id, compose project, service id. */
  id: string;
  /** Anything else the runtime needs to find it again (pid start time, pgid). JSON-safe. */
  meta: Record<string, string | number | boolean | null>;
}

export interface Deployment {
  id: string;
  instanceId: string;
  node: string;
  runtime: string;
  handle: WorkloadHandle | null;
  /** port name → host port. */
  ports: Record<string, number>;
  url: string | null;
  status: InstanceStatus;
  startedAt: number | null;
  stoppedAt: number | null;
  exitCode: number | null;
  error: string | null;
  createdAt: number;
}
