import { z } from 'zod';
import type { FailureReason } from './integration-views.js';

export const nodeNameParamsSchema = z.object({ name: z.string().min(1) });

/** `POST /nodes`: a remote Docker host — tcp, tcp+TLS with certificate files, or ssh. Paths, never key text. */
export const addNodeBodySchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('docker').default('docker'),
    config: z
      .object({
        endpoint: z.string().regex(/^(tcp|ssh):\/\//, 'must start with tcp:// or ssh://'),
        tls: z
          .object({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) })
          .strict()
          .optional(),
        certPath: z.string().min(1).optional(),
        sshKey: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();
export type AddNodeBody = z.input<typeof addNodeBodySchema>;

export const nodeDetailViewSchema = z.object({
  name: z.string(),
  kind: z.enum(['local', 'docker', 'swarm', 'kubernetes']),
  host: z.string(),
  status: z.enum(['ready', 'unreachable']),
  runtimes: z.array(z.string()),
  endpoint: z.string().nullable(),
  /** Why the node is unreachable, when it is. */
  message: z.string().nullable(),
  createdAt: z.number(),
});
export type NodeDetailView = z.infer<typeof nodeDetailViewSchema>;

/** `POST /nodes/:name/test`. */
export type NodeTestView =
  | { ok: true; version: string; apiVersion: string; latencyMs: number }
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
}

export const gcBodySchema = z.object({ dryRun: z.boolean().default(false) }).strict();

export interface GcResultView {
  dryRun: boolean;
  removed: OrphanView[];
  failed: (OrphanView & { error: string })[];
}

/** `DELETE /instances/:id?volumes=1` also removes the instance's volumes. */
export const removeInstanceQuerySchema = z.object({
  volumes: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
