import { z } from 'zod';

/** Every error the API returns: `{ error: { code, message, details?, requestId? } }`. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export const portConflictSchema = z.object({
  name: z.string(),
  envVar: z.string().nullable(),
  port: z.number().int(),
  protocol: z.enum(['tcp', 'udp']),
  usedBy: z.string(),
  suggestedPort: z.number().int().nullable(),
});
export type PortConflictView = z.infer<typeof portConflictSchema>;
