import type { LogLine, LogQuery } from '@berth/core';
import type Dockerode from 'dockerode';
import { DockerLogDecoder } from '../docker-log-decoder.js';

type Stream = NodeJS.ReadableStream & { destroy(): void };

/** A task id → the replica it is (its slot, as the instance's replicas name it); undefined when unknown. */
export type ReplicaOf = (taskId: string) => Promise<string | undefined>;

/**
 * With `details`, the engine writes each line's attributes first (`com.docker.swarm.node.id=…,
 * com.docker.swarm.service.id=…,com.docker.swarm.task.id=… text`): the task says which replica
 * wrote it, and the attributes are cut from the text.
 */
async function withReplica(l: LogLine, replicaOf: ReplicaOf | undefined): Promise<LogLine> {
  const m = /^(\S*) /.exec(l.line);
  const attrs = m?.[1] ?? '';
  if (!m || (attrs !== '' && !attrs.includes('='))) return l;
  const line = l.line.slice(m[0].length);
  const task = /(?:^|,)com\.docker\.swarm\.task\.id=([^,]+)/.exec(attrs)?.[1];
  const replica = task && replicaOf ? await replicaOf(decodeURIComponent(task)) : undefined;
  return { ...l, line, ...(replica ? { replica } : {}) };
}

/**
 * A service's output through the manager (`docker service logs`), every replica's lines. The engine
 * applies `tail` per task, so the lines are merged in time order and the last `tail` kept.
 */
export async function serviceLogTail(
  service: Dockerode.Service,
  query: LogQuery,
  replicaOf?: ReplicaOf,
): Promise<LogLine[]> {
  const since = query.since ?? 0;
  const raw = (await service.logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    details: true,
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
  const cut = query.tail !== undefined ? kept.slice(Math.max(0, kept.length - query.tail)) : kept;
  return Promise.all(cut.map((l) => withReplica(l, replicaOf)));
}

/** The service's output from now on (after its last `tail` lines), until the signal aborts; each line with its replica. */
export async function* followServiceLogs(
  service: Dockerode.Service,
  query: LogQuery,
  signal: AbortSignal | undefined,
  replicaOf?: ReplicaOf,
): AsyncIterable<LogLine> {
  if (signal?.aborted) return;
  const since = query.since ?? 0;
  const stream = (await service.logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    details: true,
    follow: true,
    tail: query.tail ?? 'all',
    since: Math.floor(since / 1000),
  } as Dockerode.ContainerLogsOptions)) as unknown as Stream;
  const stop = () => stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  const decoder = new DockerLogDecoder();
  try {
    for await (const chunk of stream)
      for (const l of decoder.push(chunk as Buffer)) if (l.ts >= since) yield await withReplica(l, replicaOf);
    for (const l of decoder.end()) yield await withReplica(l, replicaOf);
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
}
