import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { badGatewayPage } from './bad-gateway-page.js';
import type { InstanceProxy } from './instance-proxy.js';
import { nameFromHost, routeInstancePath } from './proxy-routing.js';

/** The path form on the API port: handles `/i/<name>/…` and says whether it did. */
export function handleInstancePath(proxy: InstanceProxy, req: IncomingMessage, res: ServerResponse): boolean {
  const route = routeInstancePath(req.url);
  if (!route) return false;
  if (route.kind === 'redirect') {
    res.writeHead(308, { location: route.location, 'content-length': 0 });
    res.end();
  } else proxy.web(req, res, route.name, route.path);
  return true;
}

export function upgradeInstancePath(
  proxy: InstanceProxy,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
) {
  const route = routeInstancePath(req.url);
  if (route?.kind !== 'proxy') return false;
  proxy.upgrade(req, socket, head, route.name, route.path);
  return true;
}

/** The host form on the proxy port: `<name>.localhost` → that instance, path unchanged. */
export function handleInstanceHost(proxy: InstanceProxy, req: IncomingMessage, res: ServerResponse): void {
  const name = nameFromHost(req.headers.host);
  if (name) {
    proxy.web(req, res, name, req.url ?? '/');
    return;
  }
  const body = badGatewayPage(
    `This is berth's proxy port: open http://<instance>.localhost:<port>/ (host was “${req.headers.host ?? ''}”).`,
  );
  res.writeHead(502, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function upgradeInstanceHost(
  proxy: InstanceProxy,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
) {
  const name = nameFromHost(req.headers.host);
  if (name) return proxy.upgrade(req, socket, head, name, req.url ?? '/');
  socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}
