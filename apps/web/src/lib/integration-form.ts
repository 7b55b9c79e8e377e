import { type IntegrationTypeView, type JsonSchemaProperty, SECRET_MASK } from '../api/types';

/** A config form's values as the inputs hold them: text (numbers too) or a checkbox. */
export type FormValues = Record<string, string | boolean>;

export type FieldKind = 'boolean' | 'number' | 'secret' | 'text' | 'choice-or-list';

export function isSecret(p: JsonSchemaProperty): boolean {
  return p['x-secret'] === true || p.writeOnly === true || p.format === 'password';
}

/** How a property is edited: `choice-or-list` is `'all'` or a list of ids (`anyOf: [const, array]`). */
export function fieldKind(p: JsonSchemaProperty): FieldKind {
  if (isSecret(p)) return 'secret';
  if (p.type === 'boolean') return 'boolean';
  if (p.type === 'integer' || p.type === 'number') return 'number';
  if (p.anyOf?.some((a) => a.type === 'array')) return 'choice-or-list';
  return 'text';
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/**
 * The form's first values: the stored config when editing (secrets arrive as "••••" and stay so
 * unless retyped), else each property's default.
 */
export function initialValues(spec: IntegrationTypeView, stored?: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const [key, p] of Object.entries(spec.configSchema.properties)) {
    const v = stored && key in stored ? stored[key] : p.default;
    out[key] = fieldKind(p) === 'boolean' ? v === true : asText(v);
  }
  return out;
}

/** The config to send: numbers as numbers, empty fields left out, `'all'` or `[1, 2]` for lists. */
export function configOf(spec: IntegrationTypeView, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(spec.configSchema.properties)) {
    const v = values[key];
    if (typeof v === 'boolean') {
      out[key] = v;
      continue;
    }
    const text = (v ?? '').trim();
    if (text === '') continue;
    switch (fieldKind(p)) {
      case 'number':
        out[key] = Number(text);
        break;
      case 'choice-or-list': {
        const word = p.anyOf?.find((a) => a.const !== undefined)?.const;
        out[key] =
          text === word
            ? word
            : text
                .split(/[\s,]+/)
                .filter(Boolean)
                .map(Number);
        break;
      }
      default:
        out[key] = text;
    }
  }
  return out;
}

/** True when a stored secret is shown (not retyped): sending it back keeps the stored value. */
export function isKeptSecret(value: string | boolean | undefined): boolean {
  return value === SECRET_MASK;
}
