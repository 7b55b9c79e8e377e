import { ApiError } from '../api/api-error';
import { asSentence, fieldKey, fieldSentence } from './validation-words';

/**
 * Field errors from a 400, by field path without `body.`/`querystring.`, each a sentence: the
 * request schema's `details.issues` and a domain validation's `details.fields` (`config.url`,
 * `scanIntervalSeconds`), or its one `field`.
 */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const list of [err.details.issues, err.details.fields]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as { field?: string; message?: string }[]) {
      const key = fieldKey(item.field ?? '');
      if (key && !out[key]) out[key] = fieldSentence(item.field ?? '', item.message ?? 'is invalid');
    }
  }
  const one = err.details.field;
  if (typeof one === 'string' && Object.keys(out).length === 0) out[fieldKey(one)] = asSentence(err.message);
  return out;
}

/** True when every field error of `err` has a place in the form (`shown` says which fields do). */
export function allAtFields(err: unknown, shown: (field: string) => boolean): boolean {
  const fields = Object.keys(fieldErrorsOf(err));
  return fields.length > 0 && fields.every(shown);
}
