/**
 * berth's own credentials, which must never reach an instance: the web UI's session cookie and
 * berth's API tokens (`berth_…`). An instance's own cookies and its own Authorization (basic auth,
 * its own bearer tokens) pass unchanged.
 */
import { SESSION_COOKIE } from '../http/auth-hook.js';

export { SESSION_COOKIE };

const BERTH_TOKEN = /^\s*(?:bearer\s+)?berth_/i;
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * Whether a secret is one of berth's tokens (one set by BERTH_ADMIN_TOKEN need not say `berth_`);
 * undefined where the process cannot tell (a proxy worker, which holds no tokens).
 */
export type TokenCheck = (secret: string) => boolean | undefined;

/**
 * Whether an Authorization value carries a berth token (`Bearer berth_…`, the bare token, or any
 * token berth knows); undefined when `isToken` cannot tell.
 */
export function isBerthAuthorization(value: string, isToken?: TokenCheck): boolean | undefined {
  if (BERTH_TOKEN.test(value)) return true;
  const secret = BEARER.exec(value)?.[1];
  return secret !== undefined && isToken ? isToken(secret) : false;
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
