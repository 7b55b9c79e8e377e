import { eventsQuerySchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { endStreamsOnClose, requireEventStream, streamSse } from '../http/sse.js';
import { type EventFeedQuery, followEvents, listEvents } from '../observe/event-feed.js';

const tags = ['observe'];

/** A reconnecting EventSource sends the last id it saw. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  const n = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(n) && n >= 0 && header !== undefined && header !== '' ? n : undefined;
}

/** `GET /events?instance=&since=&after=&limit=`, oldest first; `follow=1` streams new ones as SSE. */
export const eventRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  endStreamsOnClose(app);
  const { instances, store, events } = ctx.berth;

  app.get('/events', { schema: { tags, querystring: eventsQuerySchema } }, async (req, reply) => {
    const { instance, since, after, limit, follow } = req.query;
    const q: EventFeedQuery = {
      instanceId: instance === undefined ? undefined : instances.get(instance).id,
      sinceTs: since,
      afterId: lastEventId(req.headers['last-event-id']) ?? after,
      limit,
    };
    if (!follow) return listEvents(store, q);
    requireEventStream(req);
    await streamSse(
      req,
      reply,
      (signal) => followEvents({ store, events }, q, signal),
      (e) => e.id,
    );
    return reply;
  });
};
