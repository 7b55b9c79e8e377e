import {
  createIntegrationBodySchema,
  draftTestQuerySchema,
  integrationIdParamsSchema as idParams,
  legacySettingsBodySchema,
  serviceRegistryBodySchema,
  updateIntegrationBodySchema,
} from '@berth/contracts';
import { describeIntegrationTypes } from '@berth/integrations';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['integrations'];

/** `/integrations`: CRUD, config schemas per type, test connection and scan now. Secrets never leave. */
export const integrationRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const integrations = ctx.berth.integrations;
  const { service } = integrations;

  app.get('/integrations/types', { schema: { tags } }, async () => describeIntegrationTypes());

  app.get('/integrations', { schema: { tags } }, async () => service.list());

  app.post('/integrations', { schema: { tags, body: createIntegrationBodySchema } }, async (req, reply) =>
    reply.code(201).send(service.create(req.body)),
  );

  /** Test connection of a config not saved yet (the add/edit modal); `?id=` lets masked secrets stand. */
  app.post(
    '/integrations/test',
    { schema: { tags, body: createIntegrationBodySchema, querystring: draftTestQuerySchema } },
    async (req) => service.testDraft(req.body, req.query.id),
  );

  app.get('/integrations/:id', { schema: { tags, params: idParams } }, async (req) =>
    service.get(req.params.id),
  );

  app.get('/integrations/:id/results', { schema: { tags, params: idParams } }, async (req) =>
    service.results(req.params.id),
  );

  for (const method of ['put', 'patch'] as const) {
    app[method](
      '/integrations/:id',
      { schema: { tags, params: idParams, body: updateIntegrationBodySchema } },
      async (req) => service.update(req.params.id, req.body),
    );
  }

  app.delete('/integrations/:id', { schema: { tags, params: idParams } }, async (req, reply) => {
    service.remove(req.params.id);
    return reply.code(204).send();
  });

  app.post('/integrations/:id/test', { schema: { tags, params: idParams } }, async (req) =>
    service.test(req.params.id),
  );

  app.post('/integrations/:id/scan', { schema: { tags, params: idParams } }, async (req) =>
    service.scanNow(req.params.id),
  );

  /** A new key in `<BERTH_HOME>/secret.key`; every integration's secrets re-sealed in one transaction. */
  app.post('/integrations/rotate-key', { schema: { tags } }, async () => integrations.rotateKey());

  app.post('/import/legacy-settings', { schema: { tags, body: legacySettingsBodySchema } }, async (req) =>
    integrations.importLegacySettings(req.body),
  );

  /** The body is the file's JSON; its shape is checked by the import, which names bad fields. */
  app.post('/import/service-registry', { schema: { tags, body: serviceRegistryBodySchema } }, async (req) =>
    integrations.importServiceRegistry(req.body),
  );
};
