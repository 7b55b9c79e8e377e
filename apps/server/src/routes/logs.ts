import { instanceIdParamsSchema, logsFollowQuerySchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { endStreamsOnClose, requireEventStream, streamSse } from '../http/sse.js';

const tags = ['instances'];

/** `GET /instances/:id/logs?tail=&since=`; with `follow=1`, the tail and then every new line as SSE. */
export const logRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  endStreamsOnClose(app);
  const { instances, logs } = ctx.berth;

  app.get(
    '/instances/:id/logs',
    { schema: { tags, params: instanceIdParamsSchema, querystring: logsFollowQuerySchema } },
    async (req, reply) => {
      const inst = instances.get(req.params.id);
      const { tail, since, follow } = req.query;
      if (!follow) return logs.read(inst, { tail, since });
      requireEventStream(req);
      await streamSse(req, reply, (signal) => logs.follow(inst, { tail, since, signal }));
      return reply;
    },
  );
};
