import {
  addNodeBodySchema,
  addNodeQuerySchema,
  nodeNameParamsSchema,
  updateNodeBodySchema,
} from '@berth/contracts';
import { testNodeDraft } from '@berth/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { toNodeView } from '../node-view.js';

const tags = ['nodes'];

export const nodeRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { nodes } = ctx.berth;

  app.get('/nodes', { schema: { tags } }, async () => (await nodes.list()).map(toNodeView));

  app.post(
    '/nodes',
    { schema: { tags, body: addNodeBodySchema, querystring: addNodeQuerySchema } },
    async (req, reply) => {
      const record = await nodes.add({ ...req.body, force: req.body.force || req.query.force });
      return reply.code(201).send(toNodeView(await nodes.get(record.name)));
    },
  );

  /** "Test" before "Add": the connection tried with the add's body; nothing is saved. */
  app.post('/nodes/test', { schema: { tags, body: addNodeBodySchema } }, async (req) =>
    testNodeDraft(ctx.berth.runtimes, req.body),
  );

  app.get('/nodes/:name', { schema: { tags, params: nodeNameParamsSchema } }, async (req) =>
    toNodeView(await nodes.get(req.params.name)),
  );

  app.patch(
    '/nodes/:name',
    { schema: { tags, params: nodeNameParamsSchema, body: updateNodeBodySchema } },
    async (req) => {
      await nodes.update(req.params.name, req.body);
      return toNodeView(await nodes.get(req.params.name));
    },
  );

  app.delete('/nodes/:name', { schema: { tags, params: nodeNameParamsSchema } }, async (req, reply) => {
    nodes.remove(req.params.name);
    return reply.code(204).send();
  });

  app.post('/nodes/:name/test', { schema: { tags, params: nodeNameParamsSchema } }, async (req) =>
    nodes.test(req.params.name),
  );
};
