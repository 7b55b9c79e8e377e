import type { ConfigValue } from './instance.js';
import type { Template } from './template.js';

/**
 * Seals and opens one secret value. The composition root backs it with the keyring that also
 * seals integration secrets (`<home>/secret.key`); core only sees sealed strings.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** How a sealed config value starts in the store: anything after it is the box's own format. */
export const SEALED_PREFIX = 'sealed:v1:';

type Config = Record<string, ConfigValue>;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** A value made only of mask dots (`••••`): a client sending back what it was shown, not a new value. */
export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && /^•+$/.test(value);
}

/** Names of the template's config fields marked `secret: true`. */
export function secretFields(template: Pick<Template, 'config'>): string[] {
  return Object.entries(template.config)
    .filter(([, field]) => field.secret)
    .map(([key]) => key);
}

/**
 * The config as it is stored: values of fields marked `secret` sealed (their type kept inside the
 * seal), everything else as it is. Values already sealed stay as they are.
 */
export function sealSecrets(
  template: Pick<Template, 'config' | 'name'>,
  config: Config,
  box: SecretBox | undefined,
): Config {
  const out: Config = { ...config };
  for (const key of secretFields(template)) {
    const value = out[key];
    if (value === undefined || isSealed(value)) continue;
    if (!box)
      throw new Error(`config.${key} of template '${template.name}' is secret, but berth has no secrets key`);
    out[key] = SEALED_PREFIX + box.seal(JSON.stringify(value));
  }
  return out;
}

/** The config with every sealed value opened: only for the workload (the deploy spec), never for an answer. */
export function openSecrets(config: Config, box: SecretBox | undefined): Config {
  const out: Config = { ...config };
  for (const [key, value] of Object.entries(config)) {
    if (!isSealed(value)) continue;
    if (!box) throw new Error(`config.${key} is sealed, but berth has no secrets key to open it`);
    out[key] = JSON.parse(box.open(value.slice(SEALED_PREFIX.length))) as ConfigValue;
  }
  return out;
}

/** Every sealed value opened and sealed again (with the box's current key); null when none is sealed. */
export function resealSecrets(config: Config, box: SecretBox): Config | null {
  const sealed = Object.keys(config).filter((k) => isSealed(config[k]));
  if (sealed.length === 0) return null;
  const out: Config = { ...config };
  for (const key of sealed)
    out[key] = SEALED_PREFIX + box.seal(box.open((config[key] as string).slice(SEALED_PREFIX.length)));
  return out;
}

/** The config as every answer shows it: sealed values and values of `secret` fields replaced by `mask`. */
export function maskSecrets(config: Config, mask: string, secret: readonly string[] = []): Config {
  const out: Config = { ...config };
  for (const [key, value] of Object.entries(config)) {
    if (isSealed(value) || secret.includes(key)) out[key] = mask;
  }
  return out;
}

/**
 * A config change: `input` over the stored values (opened). A field left out keeps its value,
 * `null` clears it, and a value sent back masked (`••••`) keeps the stored one. The result still
 * has to be resolved against the template.
 */
export function mergeConfig(current: Config, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (isMasked(value)) continue;
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}
