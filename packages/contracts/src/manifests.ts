import { EXPORT_FORMATS } from '@berth/core';
import { z } from 'zod';

/**
 * `GET /instances/:id/manifest` and `GET /templates/:name/manifest`: which YAML to print (an
 * unknown format is a 400 listing the formats) and, optionally, the node whose settings it uses
 * (a Kubernetes node's namespace, a Swarm node's publish mode and constraints, a Docker node's address).
 */
export const manifestQuerySchema = z
  .object({
    format: z.enum(EXPORT_FORMATS, {
      error: () => `must be one of ${EXPORT_FORMATS.join(', ')}`,
    }),
    node: z.string().min(1).optional(),
  })
  .strict();
export type ManifestQuery = z.infer<typeof manifestQuerySchema>;
