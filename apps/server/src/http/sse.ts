import { InvalidInput, isBerthError } from '@berth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

const HEARTBEAT_MS = 15_000;

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
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const ac = new AbortController();
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
