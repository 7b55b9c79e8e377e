import { createTokenBodySchema, tokenIdParamsSchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['tokens'];

/** Tokens: admin only, reading included (the list says who may do what). */
export const tokenRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { tokens } = ctx.berth;
  const config = { auth: 'admin' as const };

  app.get('/tokens', { schema: { tags }, config }, async () => tokens.list());

  app.post('/tokens', { schema: { tags, body: createTokenBodySchema }, config }, async (req, reply) =>
    reply.code(201).send(tokens.create(req.body.name, req.body.role)),
  );

  app.delete('/tokens/:id', { schema: { tags, params: tokenIdParamsSchema }, config }, async (req, reply) => {
    tokens.revoke(req.params.id);
    return reply.code(204).send();
  });
};
