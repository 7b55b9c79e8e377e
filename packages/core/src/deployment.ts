import type { ConfigValue, InstanceStatus } from './instance.js';
import type { RestartPolicy } from './template.js';

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
  /** What this deployment ran, to tell unapplied edits and to roll back to; absent on older records. */
  spec?: DeployedSpec | null;
}

/**
 * The instance's spec as one deployment ran it. Config is kept as stored: a secret field's value
 * stays sealed (never opened to be written here).
 */
export interface DeployedSpec {
  config: Record<string, ConfigValue>;
  /** The instance's own env additions. */
  env: Record<string, string>;
  /** The ports that were pinned (the ports it got are the deployment's `ports`). */
  pins: Record<string, number>;
  replicas: number;
  /** The instance's own restart policy; null: its template's. */
  restart: RestartPolicy | null;
  node: string;
  /** The image an image template ran, for a person; null for other sources. */
  image: string | null;
  /** The `version` config value, when the template has one. */
  version: string | null;
}
