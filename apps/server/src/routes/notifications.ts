import {
  notificationChannelBodySchema as body,
  notificationChannelParamsSchema as params,
} from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['notifications'];
/** Channels hold secrets (webhook URLs with tokens, SMTP passwords): admin only, reads too. */
const config = { auth: 'admin' as const };

/** `/notifications/channels`: CRUD and "send a test". Secrets are masked in every answer. */
export const notificationRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const channels = ctx.berth.notifications;

  app.get('/notifications/channels', { schema: { tags }, config }, async () => channels.list());

  app.post('/notifications/channels', { schema: { tags, body }, config }, async (req, reply) =>
    reply.code(201).send(channels.create(req.body)),
  );

  app.get('/notifications/channels/:name', { schema: { tags, params }, config }, async (req) =>
    channels.get(req.params.name),
  );

  app.put('/notifications/channels/:name', { schema: { tags, params, body }, config }, async (req) =>
    channels.replace(req.params.name, req.body),
  );

  app.delete('/notifications/channels/:name', { schema: { tags, params }, config }, async (req, reply) => {
    channels.remove(req.params.name);
    return reply.code(204).send();
  });

  /** Queued like any message: the channel's lastDeliveryAt or lastError tells how it went. */
  app.post('/notifications/channels/:name/test', { schema: { tags, params }, config }, async (req, reply) =>
    reply.code(202).send(channels.test(req.params.name)),
  );
};
