import { instanceIdParamsSchema, manifestQuerySchema, templateNameParamsSchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { instanceManifest, templateManifest } from '../manifest-export.js';

const YAML = 'application/yaml; charset=utf-8';

/**
 * The YAML berth would apply for an instance or a template (`berth export`): compose, a swarm
 * stack or Kubernetes objects. Read role: no secret value is ever in it.
 */
export const manifestRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  app.get(
    '/instances/:id/manifest',
    { schema: { tags: ['instances'], params: instanceIdParamsSchema, querystring: manifestQuerySchema } },
    async (req, reply) =>
      reply
        .type(YAML)
        .send(await instanceManifest(ctx.berth, req.params.id, req.query.format, req.query.node)),
  );

  app.get(
    '/templates/:name/manifest',
    { schema: { tags: ['templates'], params: templateNameParamsSchema, querystring: manifestQuerySchema } },
    async (req, reply) =>
      reply
        .type(YAML)
        .send(await templateManifest(ctx.berth, req.params.name, req.query.format, req.query.node)),
  );
};
