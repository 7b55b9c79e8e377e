import {
  type TemplateView,
  templateBodySchema,
  templateNameParamsSchema,
  templateVersionListSchema,
  templateVersionParamsSchema,
  templateVersionQuerySchema,
  templateVersionViewSchema,
} from '@berth/contracts';
import { formatTemplateOrigin, type StoredTemplate } from '@berth/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['templates'];

/** A stored template as the API shows it: its origin as text (`file:<path>`, `api`). */
function view(t: StoredTemplate): TemplateView {
  return { ...t, origin: formatTemplateOrigin(t.origin) };
}

export const templateRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { templates, versions, reloadTemplates } = ctx.berth;

  app.get('/templates', { schema: { tags } }, async () => templates.list().map(view));

  app.get('/templates/:name', { schema: { tags, params: templateNameParamsSchema } }, async (req) =>
    view(templates.get(req.params.name)),
  );

  app.post('/templates', { schema: { tags, body: templateBodySchema } }, async (req, reply) =>
    reply.code(201).send(view(templates.create(req.body))),
  );

  app.put(
    '/templates/:name',
    { schema: { tags, params: templateNameParamsSchema, body: templateBodySchema } },
    async (req) => view(templates.update(req.params.name, req.body)),
  );

  app.delete(
    '/templates/:name',
    { schema: { tags, params: templateNameParamsSchema } },
    async (req, reply) => {
      templates.delete(req.params.name);
      return reply.code(204).send();
    },
  );

  app.post('/templates/reload', { schema: { tags } }, async () => reloadTemplates());

  // Versions: what each is, installed or not, who pins it. Install and remove change this machine: admin.
  app.get(
    '/templates/:name/versions',
    {
      schema: {
        tags,
        params: templateNameParamsSchema,
        querystring: templateVersionQuerySchema,
        response: { 200: templateVersionListSchema },
      },
    },
    async (req) => versions.list(req.params.name, req.query.node),
  );

  app.post(
    '/templates/:name/versions/:version/install',
    {
      schema: {
        tags,
        params: templateVersionParamsSchema,
        querystring: templateVersionQuerySchema,
        response: { 200: templateVersionViewSchema },
      },
    },
    async (req) => versions.install(req.params.name, req.params.version, req.query.node),
  );

  app.delete(
    '/templates/:name/versions/:version',
    { schema: { tags, params: templateVersionParamsSchema, querystring: templateVersionQuerySchema } },
    async (req, reply) => {
      await versions.remove(req.params.name, req.params.version, req.query.node);
      return reply.code(204).send();
    },
  );
};
