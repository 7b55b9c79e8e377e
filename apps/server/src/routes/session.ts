import { createSessionBodySchema, type SessionView, sessionViewSchema } from '@berth/contracts';
import { NotAllowed } from '@berth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { ownOrigin, SESSION_COOKIE } from '../http/auth-hook.js';
import type { TokenView } from '../token-service.js';

const tags = ['session'];

function sessionView({ id, name, role }: TokenView): SessionView {
  return { id, name, role };
}

/** HttpOnly: no script reads it; SameSite=Strict and Path=/api: no other site's page, and no instance, gets it. */
function setCookie(req: FastifyRequest, reply: FastifyReply, value: string, maxAge?: number): void {
  const attrs = [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    'Path=/api',
    'HttpOnly',
    'SameSite=Strict',
    ...(req.protocol === 'https' ? ['Secure'] : []),
    ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`]),
  ];
  reply.header('set-cookie', attrs.join('; '));
}

/**
 * The web UI's sign-in: the token is checked and kept in an HttpOnly cookie, so no script on any
 * page (an instance's included) can read it. Other clients send `Authorization: Bearer`.
 */
export const sessionRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { tokens } = ctx.berth;

  app.post(
    '/session',
    { schema: { tags, body: createSessionBodySchema, response: { 200: sessionViewSchema } } },
    async (req, reply) => {
      // A page elsewhere must not sign this browser in with a token of its choosing.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== ownOrigin(req)) {
        throw new NotAllowed(`sign in from berth's own page (${ownOrigin(req)})`, { code: 'CROSS_ORIGIN' });
      }
      const token = tokens.verify(req.body.token);
      setCookie(req, reply, req.body.token);
      return sessionView(token);
    },
  );

  app.get('/session', { schema: { tags, response: { 200: sessionViewSchema } } }, async (req) => {
    // The auth hook put the caller here (bearer header or cookie).
    if (!req.principal) throw new NotAllowed('no caller');
    return sessionView(req.principal);
  });

  app.delete('/session', { schema: { tags }, config: { auth: 'read' } }, async (req, reply) => {
    setCookie(req, reply, '', 0);
    return reply.code(204).send();
  });
};
