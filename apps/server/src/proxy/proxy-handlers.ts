import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { badGatewayPage } from './bad-gateway-page.js';
import type { InstanceProxy } from './instance-proxy.js';
import { nameFromHost, proxyOrigin, routeInstancePath } from './proxy-routing.js';

/**
 * The proxy port, per request: the host form `<name>.localhost` → that instance, path unchanged;
 * for any other Host, the path form `/i/<name>/…` → that instance, prefix stripped. Instance
 * content is served only here, never on the API/UI's origin.
 */
/** More than one Host header: which instance is meant is ambiguous (RFC 9112 §3.2 says 400). */
function hostIsAmbiguous(req: IncomingMessage): boolean {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts++;
  return hosts > 1;
}

export function handleProxyRequest(proxy: InstanceProxy, req: IncomingMessage, res: ServerResponse): void {
  if (hostIsAmbiguous(req)) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end('A request must carry exactly one Host header.\n');
    return;
  }
  const name = nameFromHost(req.headers.host);
  if (name) {
    proxy.web(req, res, name, req.url ?? '/');
    return;
  }
  const route = routeInstancePath(req.url);
  if (route?.kind === 'redirect') {
    res.writeHead(308, { location: route.location, 'content-length': 0 });
    res.end();
    return;
  }
  if (route) {
    proxy.web(req, res, route.name, route.path);
    return;
  }
  const body = badGatewayPage(
    `This is berth's proxy port: open http://<instance>.localhost:<port>/ or /i/<instance>/ (host was “${req.headers.host ?? ''}”, path “${req.url ?? ''}”).`,
  );
  res.writeHead(502, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** WebSocket upgrades on the proxy port, routed like {@link handleProxyRequest}. */
export function upgradeProxyRequest(
  proxy: InstanceProxy,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  if (hostIsAmbiguous(req)) {
    socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    return;
  }
  const name = nameFromHost(req.headers.host);
  const route = name ? undefined : routeInstancePath(req.url);
  if (name) proxy.upgrade(req, socket, head, name, req.url ?? '/');
  else if (route?.kind === 'proxy') proxy.upgrade(req, socket, head, route.name, route.path);
  else socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

/**
 * The path form asked of the API port: answered with a 308 to the same path on the proxy port
 * (same hostname), so an instance's page never runs on the UI's origin. Says whether it answered.
 */
export function redirectInstancePath(req: IncomingMessage, res: ServerResponse, proxyPort: number): boolean {
  if (!routeInstancePath(req.url)) return false;
  const origin = proxyOrigin(req.headers.host, proxyPort);
  if (!origin) {
    const body = `Instances are served on berth's proxy port ${proxyPort}, not here; this request's Host header (“${req.headers.host ?? ''}”) does not name a host to send you to.\n`;
    res.writeHead(400, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  }
  res.writeHead(308, { location: `${origin}${req.url}`, 'content-length': 0 });
  res.end();
  return true;
}

/** A WebSocket upgrade to the path form on the API port: refused (browsers do not follow redirects there). */
export function refuseInstanceUpgrade(req: IncomingMessage, socket: Duplex, proxyPort: number): boolean {
  if (!routeInstancePath(req.url)) return false;
  const body = `Instances are served on berth's proxy port: use ${proxyOrigin(req.headers.host, proxyPort)?.replace(/^http/, 'ws') ?? `port ${proxyPort}`}${req.url}\n`;
  socket.end(
    `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  return true;
}
