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

const exactPort = z.number().int().min(1).max(65535);

/** A range of ports berth never leases, with why (`8000–8099: the office's dev servers`). */
export const reservedRangeSchema = z
  .object({ from: exactPort, to: exactPort, reason: z.string().trim().min(1).max(200) })
  .strict();
export type ReservedRangeView = z.infer<typeof reservedRangeSchema>;

/**
 * `PUT /settings/ports`: the global range (where a port is chosen when a template's own range is
 * full or absent) and the reserved ranges. A field left out keeps its value; `null` goes back to
 * the environment's (BERTH_PORT_RANGE, BERTH_RESERVED_PORTS) or the default. Saved in berth's
 * database; the next lease follows it, no restart.
 */
export const portSettingsBodySchema = z
  .object({
    globalRange: z.object({ from: exactPort, to: exactPort }).strict().nullable().optional(),
    reserved: z.array(reservedRangeSchema).max(100).nullable().optional(),
  })
  .strict();
export type PortSettingsBody = z.infer<typeof portSettingsBodySchema>;

/** `GET /settings/ports`: the ranges in force, where each comes from, and what to know about them. */
export const portSettingsSchema = z.object({
  globalRange: z.object({ from: z.number().int(), to: z.number().int() }),
  /** Why the global range is this one, in words (as `berth ports` and `/info` say it). */
  why: z.string(),
  /** `setting`: saved through the API/CLI/UI; `environment`: BERTH_PORT_RANGE; `default`: berth's. */
  globalSource: z.enum(['setting', 'environment', 'default']),
  reserved: z.array(reservedRangeSchema),
  reservedSource: z.enum(['setting', 'environment', 'none']),
  /** The kernel's ephemeral range (outgoing connections' local ports), when it could be read. */
  ephemeral: z.object({ from: z.number().int(), to: z.number().int() }).nullable(),
  /** Accepted but worth knowing: a global range that overlaps the ephemeral range. */
  warnings: z.array(z.string()),
});
export type PortSettingsView = z.infer<typeof portSettingsSchema>;
