import type { WorkloadHandle } from './deployment.js';
import type { Protocol } from './port-lease.js';
import type { WorkloadStats, WorkloadStatsUnavailable } from './replica-stats.js';
import type { HealthCheck, RestartPolicy, Template } from './template.js';

/** How to tell the workload is ready. Checked by the runtime before deploy() returns. */
export type WaitStrategy =
  | { kind: 'none' }
  | { kind: 'port'; port: number; protocol?: Protocol }
  | { kind: 'http'; port: number; path: string; expectStatus?: number }
  | { kind: 'log'; pattern: string }
  | { kind: 'health' };

export interface ResolvedPort {
  name: string;
  hostPort: number;
  containerPort: number | null;
  protocol: Protocol;
}

/** Everything a runtime needs to run one instance — berth's neutral description, no runtime types. */
export interface DeploySpec {
  instanceId: string;
  instanceName: string;
  template: string;
  node: string;
  /** The berth installation that owns the workload (labels, env) so two homes never adopt each other's. */
  owner: string;
  dataDir: string;
  /** Where a process runtime writes stdout/stderr. */
  logDir: string;
  source: Template['source'];
  /** Fully substituted argv for command sources (`${PORT}` already replaced). */
  command: string[];
  cwd: string;
  env: Record<string, string>;
  ports: ResolvedPort[];
  labels: Record<string, string>;
  readiness: WaitStrategy;
  readinessTimeoutMs: number;
  stopTimeoutMs: number;
  resources: { memoryMb?: number; cpus?: number } | undefined;
  replicas: number;
  /** Folder of the template file, for sources with relative paths (compose). */
  templateDir: string | null;
  /**
   * Names of the `env` entries whose values come from config fields marked secret: a runtime that
   * can keep them out of its plain-text env (Swarm and Kubernetes secrets) does so.
   */
  secretEnv?: string[];
  /** The template's health check, for runtimes that run it themselves (Swarm, Kubernetes probes). */
  health?: HealthCheck;
  /** The template's restart policy, for runtimes that restart workloads themselves (Swarm). */
  restart?: RestartPolicy;
  /** The template's data settings: a cluster runtime keeps a persistent data directory in a claim (Kubernetes). */
  data?: DataSettings;
}

/** A template's `data:` — whether the data directory outlives the workload on a cluster, its size and class. */
export interface DataSettings {
  persistent: boolean;
  size: string;
  storageClass?: string | undefined;
}

/** One replica of a workload that runs several (a Swarm task, a pod). */
export interface ReplicaState {
  /** What names this replica across observations (a Swarm task's slot, a pod's name); else its place. */
  id?: string;
  /** The node of the cluster it is on (a Swarm node's hostname or id), when known. */
  node: string | null;
  /** The runtime's own word: running, starting, failed, rejected, shutdown… */
  state: string;
  /** Why it failed or was rejected, in the engine's words. */
  message: string | null;
  /** The host ports this replica publishes, where the runtime can tell (absent where it cannot). */
  ports?: ReplicaPort[];
}

/** A host port one replica publishes: a Swarm task's host-mode port, a container's, a pod's NodePort. */
export interface ReplicaPort {
  hostPort: number;
  /** The port inside the replica, when known. */
  containerPort: number | null;
  protocol: Protocol;
}

/** How many replicas a workload wants and runs, and each one's state. */
export interface ObservedReplicas {
  desired: number;
  running: number;
  items: ReplicaState[];
}

export interface ObservedWorkload {
  handle: WorkloadHandle;
  running: boolean;
  pid: number | null;
  exitCode: number | null;
  startedAt: number | null;
  /** port name → host port, where the runtime can tell. */
  ports: Record<string, number>;
  /** Labels / markers the runtime found on it. */
  instanceId: string | null;
  instanceName: string | null;
  owner: string | null;
  /** For runtimes that run replicas: how many are wanted and how many run, and each one's state. */
  replicas?: ObservedReplicas;
  /** The cluster's own recent events about the workload's objects (Kubernetes Events), newest last. */
  events?: ClusterEvent[];
}

/** An event a cluster recorded about one of a workload's objects (a Kubernetes Event). */
export interface ClusterEvent {
  /** Unique per event: berth tells each one once. */
  uid: string;
  /** `Normal` or `Warning`. */
  type: string;
  reason: string;
  message: string;
  /** The object it is about, as `Kind/name`. */
  object: string;
  /** When it last happened (ms), when the cluster says. */
  at: number | null;
}

/**
 * A workload on a node found by the name another system gave it (an import of that system's
 * registry), in berth's words: what an import needs to decide whether to take it over.
 */
export interface NamedWorkload {
  /** The runtime's own id of it (a container id): a take-over acts on this very workload. */
  ref: string;
  name: string;
  running: boolean;
  startedAt: number | null;
  /** The host ports it publishes. */
  published: { port: number; protocol: Protocol }[];
  /**
   * The berth installation whose marker it carries ('' when the marker names none), or null when
   * it carries no berth marker at all. One with a marker is never taken over.
   */
  owner: string | null;
}

/** The instance a taken-over workload now serves, and its ports (port name → host port). */
export interface AdoptAs {
  instanceId: string;
  instanceName: string;
  owner: string;
  ports: Record<string, number>;
}

export interface LogLine {
  /** When the line was written (ms since the epoch). */
  ts: number;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  /** The line was written while berth was not watching: `ts` is an estimate between known times. */
  approximate?: boolean;
  /** Which replica wrote it, where several may run (a Swarm task's slot, a pod's name). */
  replica?: string;
}

export interface LogQuery {
  tail?: number;
  since?: number;
  follow?: boolean;
  signal?: AbortSignal;
}

export interface ResourceSample {
  ts: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryPercent: number;
  diskBytes: number | null;
}

export interface Listener {
  port: number;
  protocol: Protocol;
  address: string;
  pid: number | null;
  process: string | null;
}

export interface DeployOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface AwaitReadyOptions {
  /** How long to wait before giving up (the part of the deploy's readiness timeout that is left). */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The runtime contract. Every adapter (process, docker, compose, swarm, kubernetes) implements it
 * and passes the shared contract suite (`@berth/testkit` runtime.case).
 */
export interface Runtime {
  readonly kind: string;
  /**
   * Runs `DeploySpec.replicas` copies of one workload (Swarm tasks, pods). A runtime without it
   * runs one workload per instance, and berth refuses `replicas` above 1 for it.
   */
  readonly scales?: boolean;
  /**
   * Optional, with `scales`, for runtimes where it depends on the template (compose: a scaled
   * service that publishes a host port cannot run twice): why `template` cannot run as `replicas`
   * replicas here, naming what stands in the way, or null when it can. `templateDir` is where the
   * template's relative paths start. Reads only.
   */
  scaleRefusal?(template: Template, templateDir: string | null, replicas: number): Promise<string | null>;
  /**
   * Runs containers (docker, swarm, kubernetes): a command template runs here only in the image it
   * names (`source.image`), and create refuses one without.
   */
  readonly runsImages?: boolean;
  /** Create and start, then wait for readiness; on failure, clean up and throw. */
  deploy(spec: DeploySpec, opts?: DeployOptions): Promise<ObservedWorkload>;
  /**
   * Waits until a workload that already runs (one adopted after a berth restart, found while its
   * deploy was still waiting) is ready per spec.readiness, the way deploy() would have waited.
   * Throws a user-facing error when it exits first or is not ready within opts.timeoutMs, or the
   * signal's reason when aborted. Changes nothing: on failure the caller stops and removes it.
   */
  awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void>;
  /**
   * Optional, with `scales`: changes how many replicas a running workload runs, in place — the
   * replicas that run keep running (a Swarm service update, a Deployment's replicas patched), where
   * a redeploy would stop them first. Resolves once `replicas` run and are ready per spec.readiness,
   * with the workload as then observed; throws a user-facing error when they are not within
   * opts.timeoutMs (the workload is left as it is).
   */
  scale?(
    handle: WorkloadHandle,
    spec: DeploySpec,
    replicas: number,
    opts?: DeployOptions,
  ): Promise<ObservedWorkload>;
  /** Graceful stop: TERM, then KILL after timeoutMs. Resolves when it is gone. */
  stop(handle: WorkloadHandle, timeoutMs: number): Promise<void>;
  kill(handle: WorkloadHandle): Promise<void>;
  /**
   * Removes what deploy created. Not the data directory, which berth owns; with `data` the data a
   * runtime keeps itself (a Swarm data volume, a Kubernetes claim); with `volumes` other volumes.
   */
  remove(handle: WorkloadHandle, opts?: RemoveOptions): Promise<void>;
  /** Observed state, or undefined if the workload no longer exists (or is not the one we started). */
  inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined>;
  /**
   * Every workload this berth installation (`owner`) started on the node. With `opts.known` (the
   * handles the caller has records for) the caller only needs to learn which of those run: a
   * runtime may then answer for just those (the process runtime reads their pids, not all of
   * /proc), so a workload outside `known` may be missing, but each known one is reported exactly
   * as a full list would (present and running only when it is that very workload).
   */
  list(owner: string, opts?: ListOptions): Promise<ObservedWorkload[]>;
  /** Optional (runtimes that keep data apart from the workload): this installation's data, for gc. */
  listData?(owner: string): Promise<HeldData[]>;
  logs(handle: WorkloadHandle, query: LogQuery, spec?: Pick<DeploySpec, 'logDir'>): AsyncIterable<LogLine>;
  stats(handles: WorkloadHandle[]): Promise<Map<string, WorkloadStats | WorkloadStatsUnavailable>>;
  /**
   * Optional (runtimes whose workloads another system may have started: containers): the workload
   * named exactly `name` on the node, whoever started it, or undefined. Reads only.
   */
  findByName?(name: string): Promise<NamedWorkload | undefined>;
  /**
   * Optional, with findByName: takes over a workload it found, for an instance. The handle returned
   * names it by its `ref`, and from then on every call with that handle (inspect, list with it
   * `known`, stop, kill, logs, stats, remove) acts on it and reports it as that instance's,
   * although it carries none of berth's markers. Undefined when it no longer runs as found (gone,
   * stopped, renamed, or it carries a berth marker now). Changes nothing on the node.
   */
  adopt?(found: NamedWorkload, as: AdoptAs): Promise<ObservedWorkload | undefined>;
}

/** Data a runtime keeps apart from the workload (a claim): `remove(handle, { data })` deletes it. */
export interface HeldData {
  handle: WorkloadHandle;
  instanceId: string | null;
  instanceName: string | null;
}

export interface RemoveOptions {
  volumes?: boolean;
  data?: boolean;
}

export interface ListOptions {
  known?: WorkloadHandle[];
}

/** Reports ports in use on a node (kernel socket table, Docker published ports…). */
export interface ListenerProbe {
  listeners(): Promise<Listener[]>;
}
