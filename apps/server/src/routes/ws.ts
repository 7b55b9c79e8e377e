import {
  ERROR_CLOSE_CODE,
  type WsMessage,
  type WsSubscription,
  wsSubscriptionSchema,
} from '@berth/contracts';
import { InvalidInput, isBerthError, type LogLine } from '@berth/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import type { AppContext } from '../app-context.js';
import { installApiWebSockets } from '../http/api-websockets.js';
import { followEvents } from '../observe/event-feed.js';
import { followStats } from '../observe/stats-feed.js';

/** Close codes outside the domain table. */
const CLOSE_INTERNAL = 1011;

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(message: string): string {
  const buf = Buffer.from(message);
  return buf.length <= 123
    ? message
    : `${buf
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD+$/, '')}...`;
}

function closeWith(socket: WebSocket, err: unknown, log: FastifyRequest['log']): void {
  if (socket.readyState !== socket.OPEN && socket.readyState !== socket.CONNECTING) return;
  if (isBerthError(err)) {
    socket.close(ERROR_CLOSE_CODE[err.kind], closeReason(err.message));
    return;
  }
  log.error({ err }, 'WebSocket subscription failed');
  socket.close(CLOSE_INTERNAL, 'internal error; the server log has the details');
}

function parseSubscription(raw: unknown): WsSubscription {
  let data: unknown;
  try {
    data = JSON.parse(String(raw));
  } catch {
    throw new InvalidInput('a subscription must be JSON, like {"type":"logs","instance":"web-1"}');
  }
  const parsed = wsSubscriptionSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidInput(`${issue?.path.join('.') || 'subscription'}: ${issue?.message ?? 'is invalid'}`);
}

/**
 * `/api/v1/ws`: one socket, many subscriptions (`logs`, `events`, `stats`), each message tagged
 * with the subscription's `id`. Bad parameters close with 4000; the auth hook closes one without a
 * fitting token with 4003.
 */
export const wsRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { instances, logs, store, events, sampler } = ctx.berth;
  await installApiWebSockets(app);

  function feed(sub: WsSubscription, signal: AbortSignal): AsyncIterable<WsMessage> {
    const id = sub.id ?? null;
    switch (sub.type) {
      case 'logs': {
        const inst = instances.get(sub.instance);
        const lines = logs.follow(inst, { tail: sub.tail, since: sub.since, signal });
        return tagged(lines, (data: LogLine) => ({ type: 'log', id, data }));
      }
      case 'events': {
        const instanceId = sub.instance === undefined ? undefined : instances.get(sub.instance).id;
        // Without `after`, only what happens from now on.
        const afterId = sub.after ?? store.events.list({ limit: 1 })[0]?.id ?? 0;
        const feed = followEvents({ store, events }, { instanceId, afterId }, signal);
        return tagged(feed, (data) => ({ type: 'event', id, data }));
      }
      case 'stats': {
        const inst = instances.get(sub.instance);
        return tagged(followStats(sampler, inst.id, sub.since, signal), (data) => ({
          type: 'stats',
          id,
          data,
        }));
      }
    }
  }

  app.route({
    method: 'GET',
    url: '/ws',
    schema: { tags: ['observe'], hide: true },
    // A plain GET (no upgrade) is told what this endpoint is.
    handler: async (_req, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({
          error: { code: 'UPGRADE_REQUIRED', message: '/api/v1/ws is a WebSocket endpoint' },
        }),
    wsHandler: (socket, req) => {
      const ac = new AbortController();
      socket.on('close', () => ac.abort());
      socket.on('message', (raw) => {
        let sub: WsSubscription;
        let messages: AsyncIterable<WsMessage>;
        try {
          sub = parseSubscription(raw);
          messages = feed(sub, ac.signal);
        } catch (err) {
          closeWith(socket, err, req.log);
          return;
        }
        send(socket, { type: 'subscribed', id: sub.id ?? null, subscription: sub.type });
        void pump(socket, messages, sub.id ?? null, ac.signal).catch((err) =>
          closeWith(socket, err, req.log),
        );
      });
    },
  });
};

async function* tagged<T>(items: AsyncIterable<T>, wrap: (item: T) => WsMessage): AsyncGenerator<WsMessage> {
  for await (const item of items) yield wrap(item);
}

function send(socket: WebSocket, message: WsMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** Sends a subscription's messages, pausing while the socket's buffer is full. */
async function pump(
  socket: WebSocket,
  messages: AsyncIterable<WsMessage>,
  id: string | null,
  signal: AbortSignal,
) {
  for await (const m of messages) {
    if (signal.aborted) return;
    send(socket, m);
    while (socket.bufferedAmount > 1024 * 1024 && !signal.aborted)
      await new Promise((r) => setTimeout(r, 20));
  }
  if (!signal.aborted) send(socket, { type: 'end', id, reason: 'the stream ended' });
}
