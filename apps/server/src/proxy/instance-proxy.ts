import { Agent, type ClientRequest, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { GatewayUpstream, Logger } from '@berth/core';
import { badGatewayPage } from './bad-gateway-page.js';
import { isBerthAuthorization, type TokenCheck, withoutSessionCookie } from './credentials.js';
import type { InstanceTargets } from './instance-targets.js';
import type { ProxyMeter } from './proxy-meter.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
]);

/**
 * Forwards HTTP requests and WebSocket upgrades to an instance's proxied port, at the address of
 * its node (127.0.0.1 for this machine). Bodies are streamed both ways; upstream connections are kept alive and reused.
 */
export class InstanceProxy {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  constructor(
    private readonly targets: InstanceTargets,
    private readonly log: Logger,
    /** Recognises berth's tokens, which never reach an instance. */
    private readonly isToken?: TokenCheck,
    /** Counts the requests and bytes forwarded to each instance. */
    private readonly meter?: ProxyMeter,
  ) {}

  web(req: IncomingMessage, res: ServerResponse, name: string, path: string): void {
    const target = this.targets.find(name);
    if (!target.ok) {
      this.fail(res, target.reason);
      return;
    }
    const headers = forwardHeaders(req, this.isToken);
    if (target.gateway) {
      void target.gateway().then(
        (up) => this.forward(req, res, name, (cb) => gatewayRequest(up, path, headers, req.method, cb)),
        (err: Error) =>
          this.fail(res, `Instance “${name}” cannot be reached through its node: ${err.message}.`),
      );
      return;
    }
    this.forward(req, res, name, (cb) =>
      request(
        { host: target.host, port: target.port, method: req.method, path, headers, agent: this.agent },
        cb,
      ),
    );
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    open: (cb: (up: IncomingMessage) => void) => ClientRequest,
  ): void {
    const upstream = open((up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, stripHopByHop(up.headers));
      this.count(name, up, 'out');
      up.pipe(res);
    });
    this.meter?.request(name);
    this.count(name, req, 'in');
    upstream.on('error', (err) => {
      this.log.debug({ instance: name, err: err.message }, 'upstream failed');
      if (!res.headersSent) this.fail(res, `Instance “${name}” did not answer: ${err.message}.`);
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, name: string, path: string): void {
    const target = this.targets.find(name);
    if (!target.ok) {
      rejectUpgrade(socket, target.reason);
      return;
    }
    const headers = {
      ...forwardHeaders(req, this.isToken),
      connection: 'Upgrade',
      upgrade: req.headers.upgrade ?? 'websocket',
    };
    if (target.gateway) {
      void target.gateway().then(
        (up) => this.splice(socket, head, name, gatewayRequest(up, path, headers, req.method)),
        (err: Error) =>
          rejectUpgrade(socket, `Instance “${name}” cannot be reached through its node: ${err.message}.`),
      );
      return;
    }
    this.splice(
      socket,
      head,
      name,
      request({ host: target.host, port: target.port, method: req.method, path, headers }),
    );
  }

  /** Joins the client's socket to the upstream's once it switches protocols. */
  private splice(socket: Duplex, head: Buffer, name: string, upstream: ClientRequest): void {
    upstream.on('upgrade', (up, upSocket, upHead) => {
      socket.write(statusBlock(up));
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      this.count(name, upSocket, 'out');
      this.count(name, socket, 'in');
      upSocket.pipe(socket).pipe(upSocket);
      upSocket.on('error', () => socket.destroy());
      socket.on('error', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
    });
    upstream.on('response', (up) => {
      socket.write(statusBlock(up, ['connection: close']));
      up.pipe(socket);
    });
    this.meter?.request(name);
    upstream.on('error', (err) =>
      rejectUpgrade(socket, `Instance “${name}” did not answer: ${err.message}.`),
    );
    upstream.end();
  }

  close(): void {
    this.agent.destroy();
  }

  /** Adds what passes on `stream` to the instance's byte count (a listener beside the pipe). */
  private count(name: string, stream: Duplex | IncomingMessage, direction: 'in' | 'out'): void {
    const meter = this.meter;
    if (meter) stream.on('data', (chunk: Buffer) => meter.bytes(name, direction, chunk.length));
  }

  private fail(res: ServerResponse, reason: string): void {
    const body = badGatewayPage(reason);
    res.writeHead(502, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}

/**
 * A request through a node's gateway (the Kubernetes API server's service proxy): the path after
 * the gateway's base URL, berth's credentials for the gateway in place of any the client sent.
 */
function gatewayRequest(
  up: GatewayUpstream,
  path: string,
  headers: Record<string, string | string[]>,
  method: string | undefined,
  cb?: (res: IncomingMessage) => void,
): ClientRequest {
  const url = new URL(up.url.replace(/\/$/, '') + path);
  // The API server acts on these itself (who berth is, whom it impersonates): never the client's.
  const rest = Object.fromEntries(
    Object.entries(headers).filter(([k]) => k !== 'authorization' && !/^(impersonate-|x-remote-)/.test(k)),
  );
  const opts = {
    method,
    headers: { ...rest, ...up.headers, host: url.host },
    ...(up.tls ?? {}),
  };
  return url.protocol === 'https:' ? httpsRequest(url, opts, cb) : request(url, opts, cb);
}

/** The request's headers as the instance gets them: no hop-by-hop ones, none of berth's credentials. */
function forwardHeaders(req: IncomingMessage, isToken?: TokenCheck): Record<string, string | string[]> {
  const headers = stripHopByHop(req.headers);
  // Unknown whether it is berth's (never so in the main process): dropped, to be safe.
  if (
    headers.authorization !== undefined &&
    isBerthAuthorization(String(headers.authorization), isToken) !== false
  )
    delete headers.authorization;
  if (headers.cookie !== undefined) {
    const rest = withoutSessionCookie(String(headers.cookie));
    if (rest === undefined) delete headers.cookie;
    else headers.cookie = rest;
  }
  const remote = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${remote}` : remote;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  return headers;
}

function stripHopByHop(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  }
  return out;
}

/** The upstream's status line and headers, raw; `extra` replaces the hop-by-hop ones. */
function statusBlock(up: IncomingMessage, extra?: string[]): string {
  const lines = [`HTTP/1.1 ${up.statusCode} ${up.statusMessage ?? ''}`];
  for (let i = 0; i < up.rawHeaders.length; i += 2) {
    const name = up.rawHeaders[i] ?? '';
    if (extra && HOP_BY_HOP.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${up.rawHeaders[i + 1]}`);
  }
  if (extra) lines.push(...extra);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function rejectUpgrade(socket: Duplex, reason: string): void {
  const body = badGatewayPage(reason);
  socket.end(
    `HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
