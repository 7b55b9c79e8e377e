import type { Integration, IntegrationType } from '@berth/core';
import { InvalidInput } from '@berth/core';
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

/** The field of each type that says where its secrets are sent. */
const destinationField: Record<IntegrationType, string> = { docker: 'host', portainer: 'url', komodo: 'url' };

/**
 * Where a config sends its secrets, as scheme://host:port (host lower-cased, default port filled
 * in), so `https://Portainer.example.com/` and `https://portainer.example.com:443` are one place.
 */
export function secretDestination(type: IntegrationType, config: Record<string, unknown>): string {
  const raw = String(config[destinationField[type]] ?? '').trim();
  try {
    const url = new URL(raw);
    const port =
      url.port || ({ 'http:': '80', 'https:': '443' } as Record<string, string>)[url.protocol] || '';
    return `${url.protocol}//${url.hostname}:${port}`;
  } catch {
    return raw;
  }
}

/**
 * A stored secret is bound to the address it was entered for: a change of that address must come
 * with every secret entered again. `given` is the change as sent (masked or absent secrets mean
 * "keep the stored one"); InvalidInput names each secret that would follow the address.
 */
export function assertSecretsStay(
  type: IntegrationType,
  stored: Record<string, unknown>,
  next: Record<string, unknown>,
  given: Record<string, unknown>,
): void {
  const from = secretDestination(type, stored);
  const to = secretDestination(type, next);
  if (from === to) return;
  const field = destinationField[type];
  const kept = integrationTypes[type].secretFields.filter((f) => isUnchangedSecret(given[f]));
  if (kept.length === 0) return;
  const fields = kept.map((f) => ({
    field: `config.${f}`,
    message: `enter the ${titleOf(type, f)} again to send it to the new ${field === 'url' ? 'URL' : field} (${to}); the stored one stays bound to ${from}`,
  }));
  throw new InvalidInput(`Invalid integration: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    code: 'SECRET_REENTRY_REQUIRED',
    details: { field: fields[0]?.field, fields },
  });
}

function titleOf(type: IntegrationType, field: string): string {
  const meta = integrationTypes[type].schema.shape[field]?.meta() as { title?: string } | undefined;
  return meta?.title ?? field;
}
