import { InvalidInput } from './errors.js';
import type { ConfigValue } from './instance.js';
import { isMasked } from './secret-box.js';
import type { Template } from './template.js';

/**
 * Checks instance config values against the template's config schema and fills defaults.
 * Unknown keys, wrong types, values outside `enum` and missing required values are refused,
 * each naming the field.
 */
export function resolveConfig(
  template: Pick<Template, 'config' | 'name'> & Partial<Pick<Template, 'source'>>,
  input: Record<string, unknown> = {},
) {
  const out: Record<string, ConfigValue> = {};
  const problems: { field: string; message: string }[] = [];
  const versions = template.source?.kind === 'command' ? template.source.versions : undefined;
  for (const key of Object.keys(input)) {
    if (key === 'version' && versions && !('version' in template.config)) continue;
    if (!(key in template.config))
      problems.push({
        field: `config.${key}`,
        message: `template '${template.name}' has no setting '${key}'`,
      });
  }
  for (const [key, field] of Object.entries(template.config)) {
    const raw = input[key] ?? field.default;
    if (field.secret && isMasked(raw)) {
      problems.push({
        field: `config.${key}`,
        message: 'is the mask berth shows for a stored secret, not a value: send the secret itself',
      });
      continue;
    }
    if (raw === undefined || raw === null || raw === '') {
      if (field.required) problems.push({ field: `config.${key}`, message: 'is required' });
      continue;
    }
    const value = coerce(raw, field.type);
    if (value === undefined) {
      problems.push({ field: `config.${key}`, message: `must be a ${field.type}` });
      continue;
    }
    if (field.enum && !field.enum.includes(value as string | number)) {
      problems.push({ field: `config.${key}`, message: `must be one of ${field.enum.join(', ')}` });
      continue;
    }
    out[key] = value;
  }
  if (versions) checkVersion(versions, input.version ?? out.version, out, problems);
  if (problems.length > 0) {
    throw new InvalidInput(problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      code: 'INVALID_CONFIG',
      details: { issues: problems },
    });
  }
  return out;
}

/**
 * A command template's installed versions: `version` must name one of them (an unknown one used
 * to run the default command without a word).
 */
function checkVersion(
  versions: Record<string, unknown>,
  version: unknown,
  out: Record<string, ConfigValue>,
  problems: { field: string; message: string }[],
): void {
  if (version === undefined || version === null || version === '') return;
  const known = Object.keys(versions);
  if (typeof version === 'string' && known.includes(version)) {
    out.version = version;
    return;
  }
  problems.push({
    field: 'config.version',
    message: `is not a version of this template: '${String(version)}' (known: ${known.join(', ') || 'none'})`,
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
