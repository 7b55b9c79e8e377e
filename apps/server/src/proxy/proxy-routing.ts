const HOST_FORM = /^((?:[a-z][a-z0-9-]{0,62}\.)?[a-z][a-z0-9-]{0,62})\.localhost(?::\d+)?$/i;
// The path form serves an instance's proxy port only: `/i/<name>/`, no `<port>.` variant.
const PATH_FORM = /^\/i\/([^/?#.]+)(\/[^?#]*)?(\?.*)?$/;

/**
 * The instance (and port) a Host names, as InstanceTargets takes it: `web-1` from
 * `web-1.localhost:7412`, `metrics.web-1` from `metrics.web-1.localhost:7412`; else undefined.
 */
export function nameFromHost(host: string | undefined): string | undefined {
  const m = host ? HOST_FORM.exec(host) : null;
  return m?.[1]?.toLowerCase();
}

export type PathRoute =
  | { kind: 'proxy'; name: string; path: string }
  | { kind: 'redirect'; location: string }
  | undefined;

/** `/i/web-1/a?b` → proxy `web-1` with path `/a?b`; `/i/web-1` → redirect to `/i/web-1/`. */
export function routeInstancePath(url: string | undefined): PathRoute {
  const m = url ? PATH_FORM.exec(url) : null;
  if (!m?.[1]) return undefined;
  const name = m[1].toLowerCase();
  const query = m[3] ?? '';
  if (m[2] === undefined) return { kind: 'redirect', location: `/i/${m[1]}/${query}` };
  return { kind: 'proxy', name, path: `${m[2]}${query}` };
}

const HOST_HEADER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The proxy port's origin as the client reaches this server: the Host header's hostname with the
 * proxy port (`127.0.0.1:7411` → `http://127.0.0.1:7412`); undefined for a missing or malformed Host.
 */
export function proxyOrigin(host: string | undefined, proxyPort: number): string | undefined {
  const m = host ? HOST_HEADER.exec(host.trim()) : null;
  return m?.[1] ? `http://${m[1]}:${proxyPort}` : undefined;
}
