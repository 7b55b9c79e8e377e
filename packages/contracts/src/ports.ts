import { z } from 'zod';

const portNumber = z.coerce.number().int().min(1).max(65535);
const protocol = z.enum(['tcp', 'udp']);

export const portsQuerySchema = z.object({
  host: z.string().min(1).default('local'),
  /** `allHosts=1`: every host berth knows (local, nodes, leases, integration scans) with its rows. */
  allHosts: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
export type PortsQuery = z.infer<typeof portsQuerySchema>;

export const portInventoryRowSchema = z.object({
  port: z.number().int(),
  protocol,
  ownerKind: z.string(),
  owner: z.string(),
  instanceId: z.string().nullable(),
});
export type PortInventoryRow = z.infer<typeof portInventoryRowSchema>;

export const hostInventorySchema = z.object({ host: z.string(), ports: z.array(portInventoryRowSchema) });
export type HostInventory = z.infer<typeof hostInventorySchema>;

export const freePortsQuerySchema = z
  .object({
    host: z.string().min(1).default('local'),
    count: z.coerce.number().int().min(1).max(1000).default(1),
    /** Both default to the server's global range (`GET /info`'s portRange). */
    from: portNumber.optional(),
    to: portNumber.optional(),
    protocol: protocol.default('tcp'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be above to',
    path: ['from'],
  });
export type FreePortsQuery = z.infer<typeof freePortsQuerySchema>;

export const freePortsResultSchema = z.object({ host: z.string(), ports: z.array(z.number().int()) });
export type FreePortsResult = z.infer<typeof freePortsResultSchema>;

export const reserveBodySchema = z
  .object({
    port: z.number().int().min(1).max(65535),
    host: z.string().min(1).default('local'),
    note: z.string().max(200).default(''),
    protocol: protocol.default('tcp'),
  })
  .strict();
export type ReserveBody = z.input<typeof reserveBodySchema>;

export const reservationParamsSchema = z.object({ port: portNumber });
export const releaseQuerySchema = z.object({
  host: z.string().min(1).default('local'),
  protocol: protocol.default('tcp'),
});

export const portLeaseViewSchema = z.object({
  host: z.string(),
  protocol,
  port: z.number().int(),
  ownerKind: z.enum(['instance', 'reservation']),
  ownerId: z.string(),
  ownerName: z.string(),
  portName: z.string().nullable(),
  createdAt: z.number(),
});
export type PortLeaseView = z.infer<typeof portLeaseViewSchema>;
