import { DEFAULT_SCAN_INTERVAL_SECONDS, INTEGRATION_TYPES, MIN_SCAN_INTERVAL_SECONDS } from '@berth/core';
import { z } from 'zod';
import { validationError } from './validation-error.js';

const fields = {
  name: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  enabled: z.boolean().optional(),
  autoDetect: z.boolean().optional(),
  scanIntervalSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(MIN_SCAN_INTERVAL_SECONDS, `must be at least ${MIN_SCAN_INTERVAL_SECONDS} seconds`)
    .max(7 * 24 * 3600, 'must be at most a week')
    .optional(),
  config: z.record(z.string(), z.unknown()).optional(),
};

/** `POST /api/v1/integrations`: `{ name, type, enabled, autoDetect, scanIntervalSeconds, config }`. */
export const createIntegrationInput = z.object({ ...fields, type: z.enum(INTEGRATION_TYPES) });
/** `PUT/PATCH /api/v1/integrations/:id`: any of the fields; the type cannot change. */
export const updateIntegrationInput = z.object(fields);

export type CreateIntegrationInput = z.input<typeof createIntegrationInput>;
export type UpdateIntegrationInput = z.input<typeof updateIntegrationInput>;

export const integrationDefaults = {
  enabled: true,
  autoDetect: true,
  scanIntervalSeconds: DEFAULT_SCAN_INTERVAL_SECONDS,
} as const;

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** `:id` of the integration routes: an id or a name. */
export const integrationIdParams = z.object({ id: z.string().min(1) });
/** `POST /integrations/test?id=`: masked secrets in the draft stand for this integration's. */
export const draftTestQuery = z.object({ id: z.string().min(1).optional() });

/** `POST /import/legacy-settings`: the earlier system's settings table, key → text. */
export const legacySettingsBody = z.record(z.string(), z.string());
