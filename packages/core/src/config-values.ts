import { InvalidInput } from './errors.js';
import type { ConfigValue } from './instance.js';
import { isMasked } from './secret-box.js';
import type { Template } from './template.js';
import { versionsOf } from './template-versions.js';

type Problem = { field: string; message: string };
type ConfigTemplate = Pick<Template, 'config' | 'name'> & Partial<Pick<Template, 'source'>>;
type Field = Template['config'][string];

/**
 * Checks instance config values against the template's config schema and fills defaults.
 * Unknown keys, wrong types, values outside `enum` and missing required values are refused,
 * each naming the field.
 */
export function resolveConfig(template: ConfigTemplate, input: Record<string, unknown> = {}) {
  const out: Record<string, ConfigValue> = {};
  const versions = template.source ? [...versionsOf({ source: template.source }).keys()] : [];
  const problems = unknownKeys(template, input, versions.length > 0);
  for (const [key, field] of Object.entries(template.config)) {
    const r = resolveField(field, input[key] ?? field.default);
    if (r.problem) problems.push({ field: `config.${key}`, message: r.problem });
    else if (r.value !== undefined) out[key] = r.value;
  }
  if (versions.length > 0) checkVersion(versions, input.version ?? out.version, out, problems);
  if (problems.length > 0) {
    const known = problems.some((p) => p.field === 'version') ? { known: versions } : {};
    throw new InvalidInput(problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      code: 'INVALID_CONFIG',
      details: { issues: problems, ...known },
    });
  }
  return out;
}

/** Keys the template has no setting for; `version` is one when the template has versions. */
function unknownKeys(
  template: ConfigTemplate,
  input: Record<string, unknown>,
  versioned: boolean,
): Problem[] {
  return Object.keys(input)
    .filter((key) => !(key in template.config) && !(key === 'version' && versioned))
    .map((key) => ({
      field: `config.${key}`,
      message: `template '${template.name}' has no setting '${key}'`,
    }));
}

/** One field's value (undefined when left empty), or what is wrong with it. */
function resolveField(field: Field, raw: unknown): { value?: ConfigValue; problem?: string } {
  if (field.secret && isMasked(raw)) {
    return { problem: 'is the mask berth shows for a stored secret, not a value: send the secret itself' };
  }
  if (raw === undefined || raw === null || raw === '')
    return field.required ? { problem: 'is required' } : {};
  const value = coerce(raw, field.type);
  if (value === undefined) return { problem: `must be a ${field.type}` };
  if (field.enum && !field.enum.includes(value as string | number)) {
    return { problem: `must be one of ${field.enum.join(', ')}` };
  }
  return { value };
}

/**
 * A template's declared versions (command or image): `version` must name one of them, so a
 * mistyped one is refused rather than quietly running the default command.
 */
function checkVersion(
  known: string[],
  version: unknown,
  out: Record<string, ConfigValue>,
  problems: Problem[],
): void {
  if (version === undefined || version === null || version === '') return;
  if (typeof version === 'string' && known.includes(version)) {
    out.version = version;
    return;
  }
  problems.push({
    field: 'version',
    message: `'${String(version)}' is not one of this template's versions (known: ${known.join(', ') || 'none'})`,
  });
}

function coerce(raw: unknown, type: 'string' | 'number' | 'boolean'): ConfigValue | undefined {
  switch (type) {
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
        ? String(raw)
        : undefined;
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return undefined;
  }
}
