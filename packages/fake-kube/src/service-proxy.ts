import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Endpoint } from './kube-proxy.js';
import type { KubeObject } from './object-store.js';
import { notFound, serviceUnavailable, unauthorized } from './status.js';

/** The token the fake's kubeconfig carries; the service proxy, like every real API call, checks it. */
export const FAKE_TOKEN = 'fake-kube-token';

/** `/api/v1/namespaces/<ns>/services/<[scheme:]name[:port]>/proxy[/rest]` → its parts, or undefined. */
export function parseServiceProxyPath(
  pathname: string,
): { ns: string; name: string; port: string | undefined; rest: string } | undefined {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/.exec(pathname);
  if (!m) return undefined;
  const parts = decodeURIComponent(m[2]!).split(':');
  const [name, port] = parts.length === 3 ? [parts[1]!, parts[2]] : [parts[0]!, parts[1]];
  return { ns: decodeURIComponent(m[1]!), name, port: port || undefined, rest: m[3] ?? '/' };
}

/**
 * The API server's service proxy (`services/proxy`): authenticates the caller, finds a ready
 * endpoint behind the named port (by name or number) and forwards the request to the pod — a real
 * HTTP request to the pod's container, which really listens. The caller's Authorization header is
 * not passed on, as the real API server drops it once it has authenticated the request.
 */
export function proxyToService(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  find: (ns: string, name: string) => KubeObject | undefined,
  endpoints: (ns: string, name: string, portIndex: number) => Endpoint[],
): void {
  const p = parseServiceProxyPath(url.pathname)!;
  if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) throw unauthorized();
  const svc = find(p.ns, p.name);
  if (!svc) throw notFound({ group: '', kind: 'Service', plural: 'services', name: p.name });
  const ports = ((svc.spec as { ports?: { name?: string; port: number }[] }).ports ?? []) as {
    name?: string;
    port: number;
  }[];
  const index =
    p.port === undefined
      ? ports.length === 1
        ? 0
        : -1
      : ports.findIndex((sp) => sp.name === p.port || String(sp.port) === p.port);
  if (index < 0) throw serviceUnavailable(`no service port "${p.port ?? ''}" found for service "${p.name}"`);
  const target = endpoints(p.ns, p.name, index)[0];
  if (!target) throw serviceUnavailable(`no endpoints available for service "${p.name}"`);
  const { authorization: _, ...headers } = req.headers;
  const upstream = request(
    {
      host: target.ip,
      port: target.port,
      method: req.method,
      path: p.rest + url.search,
      headers: { ...headers, host: `${target.ip}:${target.port}` },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (res.headersSent) return void res.destroy();
    const body = JSON.stringify(serviceUnavailable(`error trying to reach service: ${err.message}`).status);
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(body);
  });
  req.pipe(upstream);
}
