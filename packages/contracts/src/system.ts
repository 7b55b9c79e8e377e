import { z } from 'zod';

export const healthStatusSchema = z.object({ status: z.literal('ok') });

export const versionSchema = z.object({ name: z.literal('berth'), version: z.string(), node: z.string() });
export type VersionView = z.infer<typeof versionSchema>;

export const infoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  templatesDir: z.string(),
  apiUrl: z.string(),
  proxyPort: z.number().int(),
  runtimes: z.array(z.object({ node: z.string(), kind: z.string(), sources: z.array(z.string()) })),
  orphans: z.number().int(),
  instances: z.number().int(),
  /**
   * The global range ports are leased from when a template's own is full, and why it is that one;
   * `reservedInKernel`: leased ports are kept in net.ipv4.ip_local_reserved_ports (BERTH_RESERVE_PORTS=1).
   */
  portRange: z.object({
    from: z.number().int(),
    to: z.number().int(),
    why: z.string(),
    reservedInKernel: z.boolean(),
  }),
});
export type InfoView = z.infer<typeof infoSchema>;

export const nodeViewSchema = z.object({
  name: z.string(),
  kind: z.enum(['local', 'docker', 'swarm', 'kubernetes']),
  host: z.string(),
  status: z.enum(['ready', 'unreachable']),
  runtimes: z.array(z.string()),
});
export type NodeView = z.infer<typeof nodeViewSchema>;
