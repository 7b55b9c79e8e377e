import { INTEGRATION_TYPES, MIN_SCAN_INTERVAL_SECONDS } from '@berth/core';
import { z } from 'zod';

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

/** `POST /integrations`: `{ name, type, enabled, autoDetect, scanIntervalSeconds, config }`. */
export const createIntegrationBodySchema = z.object({ ...fields, type: z.enum(INTEGRATION_TYPES) });
/** `PUT/PATCH /integrations/:id`: any of the fields; the type cannot change. */
export const updateIntegrationBodySchema = z.object(fields);

export type CreateIntegrationBody = z.input<typeof createIntegrationBodySchema>;
export type UpdateIntegrationBody = z.input<typeof updateIntegrationBodySchema>;

/** `:id` of the integration routes: an id or a name. */
export const integrationIdParamsSchema = z.object({ id: z.string().min(1) });
/** `POST /integrations/test?id=`: masked secrets in the draft stand for this integration's. */
export const draftTestQuerySchema = z.object({ id: z.string().min(1).optional() });

/** `POST /import/legacy-settings`: the earlier system's settings table, key → text. */
export const legacySettingsBodySchema = z.record(z.string(), z.string());

/**
 * `POST /import/service-registry`: the file's JSON as it is. Only the document reads this schema's
 * shape (any JSON); the import checks the entries itself and names the bad fields.
 */
export const serviceRegistryBodySchema = z.unknown();
