import type { LogLine, LogQuery } from '@berth/core';
import type Dockerode from 'dockerode';
import { DockerLogDecoder } from '../docker-log-decoder.js';

type Stream = NodeJS.ReadableStream & { destroy(): void };

/**
 * A service's output through the manager (`docker service logs`), every replica's lines. The engine
 * applies `tail` per task, so the lines are merged in time order and the last `tail` kept.
 */
export async function serviceLogTail(service: Dockerode.Service, query: LogQuery): Promise<LogLine[]> {
  const since = query.since ?? 0;
  const raw = (await service.logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    follow: false,
    ...(query.tail !== undefined ? { tail: query.tail } : {}),
    since: Math.floor(since / 1000),
  })) as unknown as Buffer | Stream;
  const decoder = new DockerLogDecoder();
  const lines: LogLine[] = [];
  if (Buffer.isBuffer(raw)) lines.push(...decoder.push(raw));
  else for await (const chunk of raw) lines.push(...decoder.push(chunk as Buffer));
  lines.push(...decoder.end());
  const kept = lines.filter((l) => l.ts >= since).sort((a, b) => a.ts - b.ts);
  return query.tail !== undefined ? kept.slice(Math.max(0, kept.length - query.tail)) : kept;
}

/** The service's output from now on (after its last `tail` lines), until the signal aborts. */
export async function* followServiceLogs(
  service: Dockerode.Service,
  query: LogQuery,
  signal: AbortSignal | undefined,
): AsyncIterable<LogLine> {
  if (signal?.aborted) return;
  const since = query.since ?? 0;
  const stream = (await service.logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    follow: true,
    tail: query.tail ?? 'all',
    since: Math.floor(since / 1000),
  } as Dockerode.ContainerLogsOptions)) as unknown as Stream;
  const stop = () => stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  const decoder = new DockerLogDecoder();
  try {
    for await (const chunk of stream) yield* decoder.push(chunk as Buffer).filter((l) => l.ts >= since);
    yield* decoder.end();
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
}
