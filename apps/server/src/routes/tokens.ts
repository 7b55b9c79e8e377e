import { createTokenBodySchema, tokenIdParamsSchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['tokens'];

export const tokenRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { tokens } = ctx.berth;

  app.get('/tokens', { schema: { tags } }, async () => tokens.list());

  app.post('/tokens', { schema: { tags, body: createTokenBodySchema } }, async (req, reply) =>
    reply.code(201).send(tokens.create(req.body.name)),
  );

  app.delete('/tokens/:id', { schema: { tags, params: tokenIdParamsSchema } }, async (req, reply) => {
    tokens.revoke(req.params.id);
    return reply.code(204).send();
  });
};
