import { ERROR_CLOSE_CODE } from '@berth/contracts';
import { isBerthError, NotAllowed, type TokenRole } from '@berth/core';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { WebSocket } from 'ws';
import type { TokenService, TokenView } from '../token-service.js';

/** Who may call a route: anyone (`public`), or a token with at least this role. */
export type RouteAuth = 'public' | TokenRole;

/** One route's access rule, as the sweep test reads them. */
export interface RouteAccess {
  method: string;
  url: string;
  auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after {@link installAuth}, with who may call it. */
    routeAccess: readonly RouteAccess[];
  }
  interface FastifyContextConfig {
    /** Who may call this route; left out, the method decides (see {@link defaultAuth}). */
    auth?: RouteAuth;
    /** Set for WebSocket routes: a refused upgrade is closed with a code instead of answered. */
    socket?: boolean;
  }
  interface FastifyRequest {
    /** The token the request was authorized with (routes that are not public). */
    principal?: TokenView;
    /** Why a WebSocket upgrade was refused: its socket is closed with this error's close code. */
    authError?: unknown;
  }
}

/** The web UI's session: an HttpOnly cookie holding its token, sent only to `/api`. */
export const SESSION_COOKIE = 'berth_session';

const RANK: Record<TokenRole, number> = { metrics: 0, read: 1, operate: 2, admin: 3 };

/**
 * Routes anyone may call, as `METHOD path` (a trailing `*` matches a prefix): the health check,
 * signing in, the API document and its viewer, and the web UI's files (whose not-found answers
 * still need a token for anything but a page of the UI). Every other route needs a token.
 */
const PUBLIC_ROUTES = [
  'GET /api/v1/health',
  'POST /api/v1/session',
  'GET /api/openapi.json',
  'GET /api/docs*',
  'GET /',
  'GET /*',
];

function isUpgrade(req: FastifyRequest): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

function isSafe(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function declaredPublic(method: string, url: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method;
  return PUBLIC_ROUTES.some((entry) => {
    const [em, path = ''] = entry.split(' ');
    if (em !== m) return false;
    return path.endsWith('*') && path !== '/*' ? url.startsWith(path.slice(0, -1)) : url === path;
  });
}

/**
 * Deny by default: a route is public only if it is in {@link PUBLIC_ROUTES} or says so in its
 * config; reads need `read`; anything else needs `admin` unless the route names a lesser role.
 */
export function defaultAuth(route: Pick<RouteOptions, 'method' | 'url'>): RouteAuth {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((m) => declaredPublic(m, route.url))) return 'public';
  return methods.every(isSafe) ? 'read' : 'admin';
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
}

export function sessionCookie(req: FastifyRequest): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) {
      const value = part.slice(at + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** `http://host:port` as the browser that reached this server names it. */
export function ownOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? ''}`;
}

/**
 * A cookie travels with requests other sites' pages make; only the UI's own pages may use it
 * (CSRF): a write or a WebSocket must say it comes from this origin, and nothing that says it
 * comes from elsewhere is taken.
 */
function assertSameOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const crossSite = typeof site === 'string' && site !== 'same-origin' && site !== 'none';
  const mustSay = !isSafe(req.method) || isUpgrade(req);
  if (crossSite || (origin !== undefined && origin !== ownOrigin(req)) || (mustSay && origin === undefined)) {
    throw new NotAllowed(
      `the session cookie is only accepted from berth's own pages (${ownOrigin(req)}); other clients send Authorization: Bearer <token>`,
      { code: 'CROSS_ORIGIN' },
    );
  }
}

/** The presented secret: a bearer header, or for WebSockets `?token=` or `bearer, <token>`, or the session cookie. */
function presented(req: FastifyRequest): { secret: string | undefined; cookie: boolean } {
  const header = bearer(req.headers.authorization);
  if (header !== undefined) return { secret: header, cookie: false };
  if (isUpgrade(req)) {
    const query = (req.query ?? {}) as Record<string, unknown>;
    if (typeof query.token === 'string' && query.token) return { secret: query.token, cookie: false };
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const at = protocols.indexOf('bearer');
    if (at >= 0 && protocols[at + 1]) return { secret: protocols[at + 1], cookie: false };
  }
  const cookie = sessionCookie(req);
  return { secret: cookie, cookie: cookie !== undefined };
}

/** The caller's token; Unauthenticated without a valid one, NotAllowed for a cookie from another origin. */
export function authenticate(req: FastifyRequest, tokens: TokenService): TokenView {
  const { secret, cookie } = presented(req);
  const token = tokens.verify(secret);
  if (cookie) assertSameOrigin(req);
  return token;
}

function authorize(req: FastifyRequest, tokens: TokenService, need: TokenRole): TokenView {
  const token = authenticate(req, tokens);
  if (RANK[token.role] < RANK[need]) {
    throw new NotAllowed(
      `${req.method} ${req.routeOptions.url} needs a token with the ${need} role; '${token.name}' has ${token.role}`,
      { code: 'ROLE_REQUIRED' },
    );
  }
  return token;
}

type WsHandler = (socket: WebSocket, req: FastifyRequest) => unknown;

function closeRefused(socket: WebSocket, err: unknown): void {
  const code = isBerthError(err) ? ERROR_CLOSE_CODE[err.kind] : 4003;
  const reason = isBerthError(err) ? err.message : 'not allowed';
  socket.close(code, Buffer.from(reason).subarray(0, 120).toString('utf8'));
}

/**
 * Authentication and authorization decided on the matched route, for HTTP, Server-Sent Events
 * and WebSockets alike (a refused WebSocket is accepted and closed with the error's close code,
 * since browsers cannot read a refused handshake). Must be installed before any route.
 */
export function installAuth(app: FastifyInstance, tokens: TokenService): void {
  const access: RouteAccess[] = [];
  app.decorate('routeAccess', access);
  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth ?? defaultAuth(route);
    route.config = { ...route.config, auth };
    for (const method of [route.method].flat()) access.push({ method, url: route.url, auth });
    const ws = (route as { wsHandler?: WsHandler }).wsHandler;
    if (ws) {
      route.config.socket = true;
      (route as { wsHandler?: WsHandler }).wsHandler = (socket, req) =>
        req.authError === undefined ? ws(socket, req) : closeRefused(socket, req.authError);
    }
  });
  app.addHook('onRequest', async (req) => {
    // Nothing matched: the not-found handler asks for a token itself (see requireCaller).
    if (req.is404) return;
    const need = req.routeOptions.config.auth;
    if (need === 'public') return;
    if (need === undefined) throw new NotAllowed('this route declares no access rule');
    try {
      req.principal = authorize(req, tokens, need);
    } catch (err) {
      if (!isUpgrade(req) || !req.routeOptions.config.socket) throw err;
      req.authError = err;
    }
  });
}

/** For answers to unmatched paths: only a caller with a valid token learns that nothing is there. */
export function requireCaller(req: FastifyRequest, tokens: TokenService): void {
  if (!req.principal) req.principal = authenticate(req, tokens);
}
