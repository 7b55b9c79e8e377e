import type { BerthErrorCode } from '@berth/core';
import { z } from 'zod';

/** The codes the HTTP edge answers with itself, for failures that never were a BerthError. */
export const EDGE_ERROR_CODES = [
  'INTERNAL',
  'BAD_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'UPGRADE_REQUIRED',
] as const;

/**
 * Every `error.code` the API answers with: a domain error's (`PORT_CONFLICT`, listed in core's
 * ERROR_CODES), the edge's own, or one of Fastify's refusals passed through as it names it
 * (`FST_ERR_CTP_BODY_TOO_LARGE`). Clients match on these; the message is for people.
 */
export type ErrorCode = BerthErrorCode | (typeof EDGE_ERROR_CODES)[number] | `FST_${string}`;

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
