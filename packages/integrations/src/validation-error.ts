import { type BerthErrorCode, InvalidInput } from '@berth/core';
import type { z } from 'zod';

const CODES = {
  integration: 'INVALID_INTEGRATION',
  'service registry': 'INVALID_SERVICE_REGISTRY',
} as const satisfies Record<string, BerthErrorCode>;

/**
 * A zod failure as InvalidInput naming every field (`config.url: must be an http:// …`). Messages
 * are the schema's own words; values are never echoed, so a secret cannot leak through an error.
 */
export function validationError(
  error: z.ZodError,
  prefix = '',
  what: keyof typeof CODES = 'integration',
): InvalidInput {
  const fields = error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.') || '(body)',
    message: i.message,
  }));
  const words = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new InvalidInput(`Invalid ${what}: ${words}`, {
    code: CODES[what],
    details: { field: fields[0]?.field, fields },
  });
}
