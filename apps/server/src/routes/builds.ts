import {
  buildIdParamsSchema,
  buildQuerySchema,
  createBuildBodySchema,
  detectBuildBodySchema,
} from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { endStreamsOnClose, requireEventStream, streamSse } from '../http/sse.js';

const tags = ['builds'];

/**
 * `/builds`: detect a repository (with evidence), deploy it (202: the work goes on in the
 * background), follow a build's status and logs (`?after=<seq>` for the new lines, `?follow=1`
 * as Server-Sent Events until it ends), redeploy, cancel, delete.
 */
export const buildRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  endStreamsOnClose(app);
  const { builds } = ctx.berth;

  app.post('/builds/detect', { schema: { tags, body: detectBuildBodySchema } }, async (req) =>
    builds.detect(req.body.source, { app: req.body.app }),
  );

  app.post('/builds', { schema: { tags, body: createBuildBodySchema } }, async (req, reply) =>
    reply.code(202).send(await builds.create(req.body)),
  );

  app.get('/builds', { schema: { tags } }, async () => builds.list());

  app.get(
    '/builds/:id',
    { schema: { tags, params: buildIdParamsSchema, querystring: buildQuerySchema } },
    async (req, reply) => {
      const record = await builds.get(req.params.id);
      const after = lastEventId(req.headers['last-event-id']) ?? req.query.after;
      if (req.query.follow) {
        requireEventStream(req);
        await streamSse(
          req,
          reply,
          (signal) => builds.follow(record.id, after ?? 0, signal),
          (e) => e.seq,
        );
        return reply;
      }
      return after === undefined ? record : { ...record, logs: record.logs.filter((l) => l.seq > after) };
    },
  );

  app.post('/builds/:id/redeploy', { schema: { tags, params: buildIdParamsSchema } }, async (req, reply) =>
    reply.code(202).send(await builds.redeploy(req.params.id)),
  );

  app.delete('/builds/:id', { schema: { tags, params: buildIdParamsSchema } }, async (req, reply) => {
    await builds.remove(req.params.id);
    return reply.code(204).send();
  });

  app.post('/builds/:id/cancel', { schema: { tags, params: buildIdParamsSchema } }, async (req) =>
    builds.cancel(req.params.id),
  );
};

/** A reconnecting EventSource sends the last id it saw. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  const n = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(n) && n >= 0 && header !== undefined && header !== '' ? n : undefined;
}
