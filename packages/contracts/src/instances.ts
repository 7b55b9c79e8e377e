import { INSTANCE_STATUSES, restartSchema } from '@berth/core';
import { z } from 'zod';
import { portConflictSchema } from './error-envelope.js';
import { instanceDataSchema } from './instance-data.js';

const portNumber = z.number().int().min(1).max(65535);
const configValue = z.union([z.string(), z.number(), z.boolean()]);
const replicaCount = z.number().int().min(1).max(1000);

/** A host port one replica publishes. */
export const replicaPortSchema = z.object({
  hostPort: portNumber,
  /** The port inside the replica, when known. */
  containerPort: portNumber.nullable(),
  protocol: z.enum(['tcp', 'udp']),
});
export type ReplicaPortView = z.infer<typeof replicaPortSchema>;

/** One replica of an instance whose runtime runs several (a Swarm task, a pod, a compose container). */
export const replicaViewSchema = z.object({
  /** The cluster node it runs on, when known. */
  node: z.string().nullable(),
  /** The runtime's word: running, starting, failed, rejected… */
  state: z.string(),
  /** Why it failed or was rejected, in the engine's words. */
  reason: z.string().nullable(),
  /**
   * The host ports this replica publishes, where its runtime can tell (a Swarm task's host-mode
   * ports, a compose container's, a pod's NodePorts); empty where it cannot or there are none.
   */
  ports: z.array(replicaPortSchema),
});
export type ReplicaView = z.infer<typeof replicaViewSchema>;

/** `POST /instances/:id/scale`: the instance's new replica count. */
export const scaleInstanceBodySchema = z.object({ replicas: replicaCount }).strict();
export type ScaleInstanceBody = z.infer<typeof scaleInstanceBodySchema>;

export const createInstanceBodySchema = z
  .object({
    template: z.string().min(1),
    name: z.string().min(1).optional(),
    config: z.record(z.string(), configValue).optional(),
    /** One of the template's versions (`GET /templates/:name/versions`); an unknown one is a 400 listing the known. */
    version: z.string().min(1).optional(),
    /** Pinned ports: port name → host port. */
    ports: z.record(z.string(), portNumber).optional(),
    node: z.string().min(1).optional(),
    /**
     * How many replicas to run (default: the template's). Honoured by runtimes that scale (swarm,
     * kubernetes, compose when its scaled service publishes no host port); a 400 naming `replicas`
     * where the node runs one workload per instance or cannot run this template as several.
     */
    replicas: replicaCount.optional(),
    /** Start right away (default true). */
    start: z.boolean().optional(),
    /** Labels (`team: web`), as Kubernetes spells label keys and values; a bad one is a 400 naming `labels.<key>`. */
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type CreateInstanceBody = z.infer<typeof createInstanceBodySchema>;

export const instanceStatusSchema = z.enum(INSTANCE_STATUSES);

export const instanceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  template: z.string(),
  node: z.string(),
  /** Config values; a field the template marks `secret` shows SECRET_MASK (`••••`) when set, never its value. */
  config: z.record(z.string(), configValue),
  portOverrides: z.record(z.string(), z.number()),
  desiredState: z.enum(['running', 'stopped']),
  status: instanceStatusSchema,
  health: z.enum(['starting', 'healthy', 'unhealthy']).nullable(),
  errorMessage: z.string().nullable(),
  restartCount: z.number(),
  /**
   * When the current deployment started running (epoch ms); null unless the instance runs. Its
   * uptime is now − runningSince: a time rather than a count of seconds, so the answer only
   * changes when the instance does.
   */
  runningSince: z.number().nullable(),
  lastExitCode: z.number().nullable(),
  nextRetryAt: z.number().nullable(),
  currentDeploymentId: z.string().nullable(),
  dataDir: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /**
   * Replicas wanted (the instance's count, else its template's) and running now (as its runtime
   * last reported; 0 unless running), and each replica's node, state and reason while it runs —
   * empty for runtimes that run one workload per instance.
   */
  replicas: z.object({
    desired: z.number(),
    running: z.number(),
    items: z.array(replicaViewSchema),
  }),
  /** The template's version this instance runs (its config `version`); null: none pinned. */
  version: z.string().nullable(),
  /** Environment variables this instance adds to its template's (`berth edit --env`). Not for secrets. */
  env: z.record(z.string(), z.string()),
  /** This instance's own restart policy; null: its template's. */
  restart: restartSchema.nullable(),
  /** Labels for choosing instances together (`berth stop --label team=web`). */
  labels: z.record(z.string(), z.string()),
  /**
   * "Changes not applied": the fields of the stored spec (`config.<key>`, `env.<NAME>`,
   * `ports.<name>`, `replicas`, `restart`, `node`) that differ from what the running instance
   * runs, until applied (`POST /instances/:id/apply`); empty otherwise.
   */
  unappliedChanges: z.array(z.string()),
  /** Leased ports: port name → host port. */
  ports: z.record(z.string(), z.number()),
  /** Direct link to the port the proxy serves (the template's `proxy`), at the node's address; null when there is none. */
  url: z.string().nullable(),
  /** The same through berth's reverse proxy (`<name>.localhost`). */
  proxyUrl: z.string().nullable(),
  /** Kubernetes nodes: whether the data directory is an emptyDir or a PersistentVolumeClaim; null elsewhere. */
  data: instanceDataSchema.nullable().optional(),
  /** One link per proxied port (tcp, not `http: false`) that has a host port, in the template's order. */
  links: z.array(
    z.object({
      /** The template's name of the port. */
      port: z.string(),
      hostPort: z.number(),
      /** Whether this is the port `url`/`proxyUrl` and `<name>.localhost` serve. */
      primary: z.boolean(),
      /** `http://<node address>:<hostPort>/`. */
      url: z.string(),
      /** `http://<port>.<name>.localhost:<proxy port>/`. */
      proxyUrl: z.string(),
    }),
  ),
});
export type InstanceView = z.infer<typeof instanceViewSchema>;
/** `GET /instances`: every instance's view. */
export const instanceListSchema = z.array(instanceViewSchema);
export type InstanceLink = InstanceView['links'][number];

/**
 * The answer to a create. With `start: false`, a pinned port someone else holds does not refuse
 * the create (nothing starts): it is listed here, and the conflict flow settles it at start.
 */
export const createdInstanceSchema = instanceViewSchema.extend({
  warnings: z.array(z.string()).optional(),
  portConflicts: z.array(portConflictSchema).optional(),
});
export type CreatedInstanceView = z.infer<typeof createdInstanceSchema>;

export const instanceListQuerySchema = z.object({
  template: z.string().min(1).optional(),
  status: instanceStatusSchema.optional(),
  node: z.string().min(1).optional(),
});
export type InstanceListQuery = z.infer<typeof instanceListQuerySchema>;

export const instanceIdParamsSchema = z.object({ id: z.string().min(1) });

/** `?wait=1` makes an action answer once the instance has settled. */
export const actionQuerySchema = z.object({
  wait: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

/**
 * `PATCH /instances/:id/config`: the fields to change, for the next start. A field left out keeps
 * its value, `null` clears it (its default applies), and a secret sent back as SECRET_MASK keeps
 * the stored one — so a secret is replaced by sending a new value, never by reading the old.
 */
export const updateInstanceConfigBodySchema = z
  .object({ config: z.record(z.string(), configValue.nullable()) })
  .strict();
export type UpdateInstanceConfigBody = z.infer<typeof updateInstanceConfigBodySchema>;

/**
 * `PATCH /instances/:id`: the instance's desired spec. A field left out keeps its value; `null`
 * clears it (its template's applies): a config field (a secret sent back as SECRET_MASK keeps the
 * stored one), an env variable, a pin, the replica count, the restart policy. Checked against the
 * template (a 400 naming the field, nothing written); pins go through the port ledger (a 409
 * naming the holder, as at create).
 */
export const editInstanceBodySchema = z
  .object({
    config: z.record(z.string(), configValue.nullable()).optional(),
    /** Another of the template's versions (`berth upgrade`); null: none, the template's own command. */
    version: z.string().min(1).nullable().optional(),
    env: z.record(z.string(), z.string().nullable()).optional(),
    ports: z.record(z.string(), portNumber.nullable()).optional(),
    replicas: replicaCount.nullable().optional(),
    restart: restartSchema.nullable().optional(),
    /** Another node to run on; its data directory does not move with it. */
    node: z.string().min(1).optional(),
    /** Labels to set; `null` removes one. Stored at once: nothing runs differently. */
    labels: z.record(z.string(), z.string().nullable()).optional(),
  })
  .strict();
export type EditInstanceBody = z.infer<typeof editInstanceBodySchema>;

const flag = z
  .enum(['1', '0', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** `?apply=1` redeploys a running instance with the edit at once; `?wait=1` answers once it settled. */
export const editInstanceQuerySchema = z.object({ apply: flag, wait: flag });

/** `POST /instances/:id/rollback`: the deployment whose spec to run again (default: the previous one). */
export const rollbackInstanceBodySchema = z.object({ deployment: z.string().min(1).optional() }).strict();
export type RollbackInstanceBody = z.infer<typeof rollbackInstanceBodySchema>;

export const portOverrideBodySchema = z
  .object({
    name: z.string().min(1),
    port: portNumber,
  })
  .strict();
export type PortOverrideBody = z.infer<typeof portOverrideBodySchema>;

export const preflightResultSchema = z.object({
  canStart: z.boolean(),
  portConflicts: z.array(portConflictSchema.extend({ pinned: z.boolean() })),
});
export type PreflightResultView = z.infer<typeof preflightResultSchema>;

export const deploymentViewSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  node: z.string(),
  runtime: z.string(),
  ports: z.record(z.string(), z.number()),
  url: z.string().nullable(),
  status: instanceStatusSchema,
  startedAt: z.number().nullable(),
  stoppedAt: z.number().nullable(),
  exitCode: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.number(),
  /**
   * What this deployment ran (null on deployments recorded before berth kept it): config with
   * secrets masked, the instance's env additions, pinned ports, replicas, restart policy, node,
   * and the image or version.
   */
  spec: z
    .object({
      config: z.record(z.string(), configValue),
      env: z.record(z.string(), z.string()),
      pins: z.record(z.string(), z.number()),
      replicas: z.number(),
      restart: restartSchema.nullable(),
      node: z.string(),
      image: z.string().nullable(),
      version: z.string().nullable(),
    })
    .nullable(),
});
export type DeploymentView = z.infer<typeof deploymentViewSchema>;

export const logsQuerySchema = z.object({
  tail: z.coerce.number().int().min(0).max(100_000).optional(),
  since: z.coerce.number().int().min(0).optional(),
});
export type LogsQuery = z.infer<typeof logsQuerySchema>;

export const logLineSchema = z.object({
  ts: z.number(),
  stream: z.enum(['stdout', 'stderr', 'system']),
  line: z.string(),
  /** Written while berth was down: `ts` is an estimate (between the last time seen and the file's mtime). */
  approximate: z.boolean().optional(),
  /** Which replica wrote it (a Swarm task's slot, a Kubernetes pod's name), on runtimes that run several. */
  replica: z.string().optional(),
});
export type LogLineView = z.infer<typeof logLineSchema>;

/** The actions `POST /instances/actions` runs on several instances at once. */
export const BULK_ACTION_NAMES = ['start', 'stop', 'restart', 'kill', 'rm'] as const;

/**
 * `POST /instances/actions`: one action on the instances exactly one selector names — `names`
 * (ids or names), `template`, `labels` (every one must match) or `all: true`. None or two is a
 * 400 naming the field. `rm` needs an admin token, as `DELETE /instances/:id` does.
 */
export const bulkActionBodySchema = z
  .object({
    action: z.enum(BULK_ACTION_NAMES),
    names: z.array(z.string().min(1)).max(1000).optional(),
    template: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    all: z.literal(true).optional(),
  })
  .strict();
export type BulkActionBody = z.infer<typeof bulkActionBodySchema>;

/** One instance's answer to a bulk action. */
export const bulkActionResultSchema = z.object({
  name: z.string(),
  /** Null for a name no instance has. */
  id: z.string().nullable(),
  ok: z.boolean(),
  /** The instance's status after the action; null when it was removed or the action failed. */
  status: instanceStatusSchema.nullable(),
  /** Why the action failed for this instance, as the single-instance route would have said it. */
  error: z
    .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
    .nullable(),
});
export type BulkActionResult = z.infer<typeof bulkActionResultSchema>;

/** The answer: every selected instance in order, and how many succeeded and failed. */
export const bulkActionResponseSchema = z.object({
  action: z.enum(BULK_ACTION_NAMES),
  results: z.array(bulkActionResultSchema),
  succeeded: z.number(),
  failed: z.number(),
});
export type BulkActionResponse = z.infer<typeof bulkActionResponseSchema>;
