/**
 * berth's own credentials, which must never reach an instance: the web UI's session cookie and
 * berth's API tokens (`berth_…`). An instance's own cookies and its own Authorization (basic auth,
 * its own bearer tokens) pass unchanged.
 */
export const SESSION_COOKIE = 'berth_session';

const BERTH_TOKEN = /^\s*(?:bearer\s+)?berth_/i;

/** Whether an Authorization value carries a berth token (`Bearer berth_…`, or the bare token). */
export function isBerthAuthorization(value: string): boolean {
  return BERTH_TOKEN.test(value);
}

/**
 * A Cookie header's value without berth's session cookie: the same string when it has none,
 * `undefined` when nothing else is left (drop the header).
 */
export function withoutSessionCookie(value: string): string | undefined {
  if (!value.includes(SESSION_COOKIE)) return value;
  const pairs = value.split(';');
  const kept = pairs.filter((pair) => {
    const eq = pair.indexOf('=');
    return (eq < 0 ? pair : pair.slice(0, eq)).trim() !== SESSION_COOKIE;
  });
  if (kept.length === pairs.length) return value;
  const rest = kept
    .map((pair) => pair.trim())
    .filter(Boolean)
    .join('; ');
  return rest === '' ? undefined : rest;
}
