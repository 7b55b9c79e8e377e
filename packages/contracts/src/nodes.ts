import { z } from 'zod';
import type { FailureReason } from './integration-views.js';

export const nodeNameParamsSchema = z.object({ name: z.string().min(1) });

/** An ssh host key's fingerprint as `ssh-keygen -lf` prints it. */
export const hostKeySchema = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:… fingerprint as ssh-keygen -lf prints it');

/** A host name or IP address, without scheme or port (checked in full by the node service, which names the field). */
export const publicAddressSchema = z.string().min(1).max(253);

/** A `docker` node's config: a remote Docker host — tcp, tcp+TLS with certificate files, or ssh. Paths, never key text. */
export const dockerNodeConfigSchema = z
  .object({
    endpoint: z.string().regex(/^(tcp|ssh):\/\//, 'must start with tcp:// or ssh://'),
    tls: z
      .object({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    certPath: z.string().min(1).optional(),
    sshKey: z.string().min(1).optional(),
    /** The ssh host's key; without it known_hosts decides, else the first key seen is recorded. */
    hostKey: hostKeySchema.optional(),
  })
  .strict();

/**
 * A `kubernetes` node's config: a cluster through a kubeconfig file berth's server reads (its path,
 * never its text). Checked in full by the kubernetes driver, which names the field it refuses.
 */
export const kubernetesNodeConfigSchema = z
  .object({
    kubeconfig: z.string().min(1),
    /** Default: the kubeconfig's current-context. */
    context: z.string().min(1).optional(),
    /** Where instances go; default: the context's namespace, else `default`. */
    namespace: z.string().min(1).optional(),
    /** The cluster's NodePort range, `FROM-TO` or `{ from, to }`; default 30000-32767. */
    nodePortRange: z
      .union([z.string(), z.object({ from: z.number().int(), to: z.number().int() }).strict()])
      .optional(),
    /** Where clients reach NodePorts; default: the API server's host. */
    publicAddress: publicAddressSchema.optional(),
    /**
     * `NodePort` (default): ports published on every node of the cluster, in the ledger's NodePort
     * space. `ClusterIP`: inside the cluster only; berth's proxy reaches them through the API
     * server's service proxy and no NodePort is taken. Any case (`clusterip`).
     */
    serviceType: z.string().optional(),
    /** The storage class of persistent data claims whose template names none; default: the cluster's. */
    storageClass: z.string().min(1).optional(),
  })
  .strict();

/**
 * `POST /nodes`: a node of a registered kind (default `docker`; another kind answers 400 listing
 * the kinds). `config` is the kind's own (docker: dockerNodeConfigSchema, kubernetes:
 * kubernetesNodeConfigSchema), checked by its
 * driver, which names the field it refuses. The node is tested first: one that does not answer is
 * refused (422 NODE_UNREACHABLE, saying why) unless `force` (or `?force=1`).
 */
export const addNodeBodySchema = z
  .object({
    name: z.string().min(1),
    kind: z.string().min(1).default('docker'),
    config: z.union([dockerNodeConfigSchema, kubernetesNodeConfigSchema, z.record(z.string(), z.unknown())]),
    /** The address clients reach the node's published ports at (links, proxy); default: the endpoint's host. */
    publicAddress: publicAddressSchema.optional(),
    /** Save it even when its test fails (it shows as unreachable until it answers). */
    force: z.boolean().optional(),
  })
  .strict();

export const addNodeQuerySchema = z.object({
  force: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
export type AddNodeBody = z.input<typeof addNodeBodySchema>;

/**
 * `PATCH /nodes/:name`: a new ssh hostKey (after the host was reinstalled), or null to trust the
 * next key on first use; a new publicAddress, or null to go back to the endpoint's host.
 */
export const updateNodeBodySchema = z
  .object({
    hostKey: hostKeySchema.nullable().optional(),
    publicAddress: publicAddressSchema.nullable().optional(),
  })
  .strict()
  .refine((b) => b.hostKey !== undefined || b.publicAddress !== undefined, {
    message: 'give hostKey or publicAddress (or both)',
  });
export type UpdateNodeBody = z.input<typeof updateNodeBodySchema>;

/** An ssh node's host key and what it matched: the node's hostKey (given or recorded on first use), or known_hosts. */
export const nodeHostKeyViewSchema = z.object({
  fingerprint: z.string(),
  from: z.enum(['node', 'known_hosts']),
  /** True when this request trusted the key on first use and recorded it on the node. */
  recorded: z.boolean(),
});
export type NodeHostKeyView = z.infer<typeof nodeHostKeyViewSchema>;

export const nodeDetailViewSchema = z.object({
  name: z.string(),
  kind: z.enum(['local', 'docker', 'swarm', 'kubernetes']),
  host: z.string(),
  status: z.enum(['ready', 'unreachable']),
  runtimes: z.array(z.string()),
  endpoint: z.string().nullable(),
  /** Where clients reach its published ports: links and berth's proxy use it. */
  publicAddress: z.string(),
  /** `setting`: the node's publicAddress; `endpoint`: its endpoint's host; `local`: this machine (127.0.0.1). */
  publicAddressFrom: z.enum(['setting', 'endpoint', 'local']),
  /** Why the node is unreachable, when it is. */
  message: z.string().nullable(),
  /** ssh nodes: the host key berth checks (null for others, or before the first connection). */
  hostKey: nodeHostKeyViewSchema.nullable(),
  createdAt: z.number(),
});
export type NodeDetailView = z.infer<typeof nodeDetailViewSchema>;

/** `POST /nodes/:name/test`. */
export type NodeTestView =
  | { ok: true; version: string; apiVersion: string; latencyMs: number; hostKey?: NodeHostKeyView }
  | { ok: false; reason: FailureReason; message: string };

/** A workload carrying this installation's labels and no record. */
export interface OrphanView {
  node: string;
  runtime: string;
  id: string;
  name: string | null;
  instanceId: string | null;
  instanceName: string | null;
  running: boolean;
  /** `data`: no workload, only the data kept for an instance berth no longer has (a Kubernetes claim). */
  kind: 'workload' | 'data';
}

export const gcBodySchema = z.object({ dryRun: z.boolean().default(false) }).strict();

export interface GcResultView {
  dryRun: boolean;
  removed: OrphanView[];
  failed: (OrphanView & { error: string })[];
}

const flag = z
  .enum(['1', '0', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/**
 * `DELETE /instances/:id` removes the instance's data (its data directory; on a cluster its Swarm
 * data volume or Kubernetes claim) unless `keepData=1`; `volumes=1` also removes its other volumes.
 */
export const removeInstanceQuerySchema = z.object({ volumes: flag, keepData: flag });
