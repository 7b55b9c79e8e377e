import { DEFAULT_SCAN_INTERVAL_SECONDS } from '@berth/core';
import type { z } from 'zod';
import { validationError } from './validation-error.js';

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
