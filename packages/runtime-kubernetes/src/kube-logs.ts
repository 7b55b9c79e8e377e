import type { IncomingMessage } from 'node:http';
import type { LogLine, LogQuery } from '@berth/core';
import type { KubeClient } from './kube-client.js';

type Stream = 'Stdout' | 'Stderr';
const STREAMS: Stream[] = ['Stdout', 'Stderr'];
const ours = (s: Stream | 'All'): LogLine['stream'] => (s === 'Stderr' ? 'stderr' : 'stdout');

/** `2026-01-01T10:00:00.123456789Z text` → a LogLine at that time. */
export function parseLogLine(raw: string, stream: LogLine['stream']): LogLine {
  const space = raw.indexOf(' ');
  const ts = space > 0 ? Date.parse(raw.slice(0, space)) : Number.NaN;
  if (Number.isNaN(ts)) return { ts: Date.now(), stream, line: raw, approximate: true };
  return { ts, stream, line: raw.slice(space + 1) };
}

/** A pod's lines, each saying the pod (the replica) wrote it. */
async function* linesOf(
  res: IncomingMessage,
  stream: LogLine['stream'],
  pod: string,
): AsyncIterable<LogLine> {
  let carry = '';
  for await (const chunk of res) {
    const parts = (carry + (chunk as Buffer).toString('utf8')).split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) yield { ...parseLogLine(p, stream), replica: pod };
  }
  if (carry) yield { ...parseLogLine(carry, stream), replica: pod };
}

function params(q: LogQuery, stream: Stream | 'All', follow: boolean): Record<string, string> {
  const out: Record<string, string> = { timestamps: 'true', container: 'main' };
  if (stream !== 'All') out.stream = stream;
  if (q.tail !== undefined) out.tailLines = String(q.tail);
  if (q.since !== undefined) out.sinceTime = new Date(q.since).toISOString().replace(/\.\d+Z$/, 'Z');
  if (follow) out.follow = 'true';
  return out;
}

/**
 * One pod's log on one stream. `stream=Stdout|Stderr` is the API's split-streams field (Kubernetes
 * 1.32+); a cluster that refuses it gets one request for both, reported as stdout.
 */
async function openPodLog(
  client: KubeClient,
  pod: string,
  stream: Stream,
  q: LogQuery,
  follow: boolean,
): Promise<AsyncIterable<LogLine> | undefined> {
  const path = `/api/v1/namespaces/${client.namespace}/pods/${encodeURIComponent(pod)}/log`;
  const res = await client.get(path, params(q, stream, follow), q.signal);
  if (res.statusCode === 200) return linesOf(res, ours(stream), pod);
  res.resume();
  // A pod whose container has not started yet has no log (400): nothing to show for it yet.
  if (res.statusCode !== 400 && res.statusCode !== 422) return undefined;
  if (stream === 'Stderr') return undefined;
  const all = await client.get(path, params(q, 'All', follow), q.signal);
  if (all.statusCode !== 200) {
    all.resume();
    return undefined;
  }
  return linesOf(all, 'stdout', pod);
}

/** Lines of several streams as they arrive, in one stream. */
async function* merge(streams: AsyncIterable<LogLine>[]): AsyncIterable<LogLine> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<LogLine> }>>();
  const pull = (i: number) =>
    pending.set(
      i,
      its[i]!.next().then((r) => ({ i, r })),
    );
  for (let i = 0; i < its.length; i++) pull(i);
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) pending.delete(i);
      else {
        pull(i);
        yield r.value;
      }
    }
  } finally {
    await Promise.allSettled(its.map((it) => it.return?.()));
  }
}

/**
 * The logs of an instance's pods (every replica), both streams. A tail is taken per stream and
 * pod, then the lines are put in time order and cut to `tail`, so it counts all lines together.
 */
export async function* instanceLogs(client: KubeClient, pods: string[], q: LogQuery): AsyncIterable<LogLine> {
  const open = async () => {
    const opened = await Promise.all(
      pods.flatMap((pod) => STREAMS.map((s) => openPodLog(client, pod, s, q, q.follow === true))),
    );
    return opened.filter((s): s is AsyncIterable<LogLine> => s !== undefined);
  };
  if (q.follow) {
    // A follow ends when its signal aborts: that is its normal end, not an error.
    try {
      yield* merge(await open());
    } catch (e) {
      if (!q.signal?.aborted) throw e;
    }
    return;
  }
  const streams = await open();
  const all: LogLine[] = [];
  for (const s of streams) for await (const l of s) all.push(l);
  all.sort((a, b) => a.ts - b.ts);
  yield* q.tail !== undefined ? all.slice(Math.max(0, all.length - q.tail)) : all;
}
