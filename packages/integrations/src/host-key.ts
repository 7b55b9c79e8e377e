import { hostname } from 'node:os';

export const LOCAL_HOST = 'local';

/**
 * How a scanned host becomes one of berth's host keys (the `host` of leases and nodes):
 * this machine — a unix socket, `localhost`, a loopback or unspecified address, or this machine's
 * own host name (short or full) — is `local`; anything else is the host name or address as the
 * integration gave it, lower-cased, without IPv6 brackets or a trailing dot. A node whose `host`
 * is that same name or address shares its port space with the scan.
 */
export function hostKey(raw: string, localNames: ReadonlySet<string> = defaultLocalNames()): string {
  const h = raw
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === '' || localNames.has(h) || h.startsWith('127.')) return LOCAL_HOST;
  return h;
}

/** The names this machine answers to, for hostKey. */
export function defaultLocalNames(machine = hostname()): ReadonlySet<string> {
  const full = machine.toLowerCase();
  return new Set([
    LOCAL_HOST,
    'localhost',
    'localhost.localdomain',
    'ip6-localhost',
    '::1',
    '0.0.0.0',
    '::',
    full,
    full.split('.')[0] ?? full,
  ]);
}

/** The host key of a URL's host name (`tcp://10.0.0.5:2375` → `10.0.0.5`). */
export function hostKeyOfUrl(url: string, localNames?: ReadonlySet<string>): string | undefined {
  try {
    const { hostname: h } = new URL(url.includes('://') ? url : `tcp://${url}`);
    return h === '' ? undefined : hostKey(h, localNames);
  } catch {
    return undefined;
  }
}
