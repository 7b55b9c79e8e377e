import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenService } from '../token-service.js';

/**
 * Routes anyone may call: the health check, and the WebSocket, which checks its own token (query,
 * subprotocol or header) and closes with 4003. Everything else under /api/v1 needs a token.
 */
const PUBLIC = new Set(['GET /api/v1/health', 'GET /api/v1/ws']);

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** Requires `Authorization: Bearer <token>` on the API; 401 (from the domain error) otherwise. */
export function installAuth(app: FastifyInstance, tokens: TokenService): void {
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/v1/') && path !== '/api/v1') return;
    if (PUBLIC.has(`${req.method} ${path}`)) return;
    tokens.verify(bearer(req));
  });
}
