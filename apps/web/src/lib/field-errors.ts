import { ApiError } from '../api/api-error';

/**
 * Field errors from a 400, by field path without `body.`: the request schema's `details.issues`
 * and a domain validation's `details.fields` (`config.url`, `scanIntervalSeconds`), or its one `field`.
 */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const list of [err.details.issues, err.details.fields]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as { field?: string; message?: string }[]) {
      const key = (item.field ?? '').replace(/^body\./, '');
      if (key && !out[key]) out[key] = item.message ?? 'is invalid';
    }
  }
  const one = err.details.field;
  if (typeof one === 'string' && Object.keys(out).length === 0) out[one.replace(/^body\./, '')] = err.message;
  return out;
}
