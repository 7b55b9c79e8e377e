import { InvalidInput, isBerthError } from '@berth/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { releaseForeground } from './foreground-requests.js';

const HEARTBEAT_MS = 15_000;

/** Open streams per HTTP server, so closing the server ends them instead of waiting for them. */
const openStreams = new WeakMap<object, Set<AbortController>>();

function streamsOf(server: object): Set<AbortController> {
  const set = openStreams.get(server) ?? new Set();
  openStreams.set(server, set);
  return set;
}

/** Ends every open event stream when the app closes (call once in each plugin that streams). */
export function endStreamsOnClose(app: FastifyInstance): void {
  app.addHook('preClose', async () => {
    for (const ac of streamsOf(app.server)) ac.abort();
  });
}

/** Whether the client takes Server-Sent Events (an explicit Accept without them does not). */
export function acceptsEventStream(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return !accept || /text\/event-stream|\*\/\*/.test(accept);
}

/** `?follow=1` answers with Server-Sent Events; a client that will not take them gets a 400. */
export function requireEventStream(req: FastifyRequest): void {
  if (!acceptsEventStream(req)) {
    throw new InvalidInput('follow=1 answers with Server-Sent Events: send Accept: text/event-stream', {
      details: { field: 'query.follow' },
    });
  }
}

/**
 * Takes the response over and streams `items` as Server-Sent Events until they end or the client
 * leaves; a failure mid-stream is sent as an `error` event (domain message, or a generic one).
 */
export async function streamSse<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  items: (signal: AbortSignal) => AsyncIterable<T>,
  idOf?: (item: T) => number,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  releaseForeground(res);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const ac = new AbortController();
  const open = streamsOf(req.server.server);
  open.add(ac);
  res.on('close', () => ac.abort());
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  try {
    for await (const item of items(ac.signal)) {
      if (ac.signal.aborted) break;
      const id = idOf ? `id: ${idOf(item)}\n` : '';
      if (!res.write(`${id}data: ${JSON.stringify(item)}\n\n`)) await drained(res, ac.signal);
    }
  } catch (err) {
    if (!ac.signal.aborted) {
      if (!isBerthError(err)) req.log.error({ err }, 'Event stream failed');
      const error = isBerthError(err)
        ? { code: err.code, message: err.message }
        : { code: 'INTERNAL', message: 'the stream failed; the server log has the details' };
      res.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    open.delete(ac);
    ac.abort();
    res.end();
  }
}

function drained(res: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
