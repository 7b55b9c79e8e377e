import type { Integration, IntegrationType } from '@berth/core';
import { integrationTypes } from './integration-types.js';
import { isUnchangedSecret, SECRET_MASK } from './secret-mask.js';
import { validationError } from './validation-error.js';

export interface SplitConfig {
  /** Non-secret fields, stored as they are. */
  config: Record<string, unknown>;
  /** Secret fields, to be sealed. */
  secrets: Record<string, string>;
}

/** Validates a full config (secrets included) against its type's schema; InvalidInput names fields. */
export function parseConfig(type: IntegrationType, raw: unknown): Record<string, unknown> {
  const parsed = integrationTypes[type].schema.safeParse(raw ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'config');
  return parsed.data as Record<string, unknown>;
}

export function splitSecrets(type: IntegrationType, full: Record<string, unknown>): SplitConfig {
  const secretFields = new Set(integrationTypes[type].secretFields);
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(full)) {
    if (secretFields.has(k)) secrets[k] = String(v);
    else config[k] = v;
  }
  return { config, secrets };
}

/**
 * The config a change asks for: what is stored, overlaid with the given fields; a secret sent
 * back masked (or not sent) keeps its stored value.
 */
export function mergeConfig(
  type: IntegrationType,
  stored: Record<string, unknown>,
  storedSecrets: Record<string, string>,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const secretFields = new Set(integrationTypes[type].secretFields);
  const merged: Record<string, unknown> = { ...stored, ...storedSecrets };
  for (const [k, v] of Object.entries(given)) {
    if (secretFields.has(k) && isUnchangedSecret(v)) continue;
    merged[k] = v;
  }
  return merged;
}

/** The config as every response shows it: secret fields present, always masked. */
export function maskedConfig(i: Pick<Integration, 'type' | 'config' | 'secrets'>): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...i.config };
  for (const f of integrationTypes[i.type].secretFields) masked[f] = i.secrets === null ? '' : SECRET_MASK;
  return masked;
}
