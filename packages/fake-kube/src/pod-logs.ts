import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { KubeObject } from './object-store.js';
import { numberParam } from './request.js';
import { badRequest } from './status.js';

/**
 * pods/log from the pod's Docker container: tailLines, follow, timestamps, sinceSeconds, and
 * `stream=Stdout|Stderr|All` (the PodLogsQuerySplitStreams field of Kubernetes 1.32+, on in this
 * fake). Lines are sent as text; with timestamps each starts with its RFC3339Nano time.
 */
export async function servePodLog(
  docker: Docker,
  pod: KubeObject,
  containerId: string | undefined,
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const containerName = (pod.spec as { containers: { name: string }[] }).containers[0]!.name;
  const asked = q.get('container');
  if (asked && asked !== containerName)
    throw badRequest(`container ${asked} is not valid for pod ${pod.metadata.name}`);
  if (!containerId)
    throw badRequest(
      `container "${containerName}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`,
    );
  const stream = q.get('stream') ?? 'All';
  if (!['All', 'Stdout', 'Stderr'].includes(stream))
    throw badRequest(`stream: Unsupported value: "${stream}": supported values: "All", "Stdout", "Stderr"`);
  const tail = numberParam(q, 'tailLines');
  const since = sinceOf(q);
  const follow = q.get('follow') === 'true';
  const timestamps = q.get('timestamps') === 'true';
  const opts = {
    stdout: stream !== 'Stderr',
    stderr: stream !== 'Stdout',
    timestamps: true,
    ...(tail !== undefined ? { tail } : {}),
    ...(since !== undefined ? { since } : {}),
  };
  const container = docker.getContainer(containerId);
  res.writeHead(200, { 'content-type': 'text/plain' });
  // As the API server does: the client learns the stream is open before the first line.
  res.flushHeaders();
  const out = new PassThrough();
  let carry = '';
  out.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) res.write(`${timestamps ? line : line.replace(/^\S+ /, '')}\n`);
  });
  if (!follow) {
    // The tail is taken here, after the stream filter: tailLines counts the lines of the stream asked for.
    const { tail: _, ...all } = opts;
    const buf = (await container.logs({ ...all, follow: false })) as Buffer;
    const lines = Buffer.concat(frames(buf)).toString('utf8').split('\n').filter(Boolean);
    for (const line of tail === undefined ? lines : lines.slice(Math.max(0, lines.length - tail))) {
      res.write(`${timestamps ? line : line.replace(/^\S+ /, '')}\n`);
    }
    res.end();
    return;
  }
  const live = await container.logs({ ...opts, follow: true });
  docker.modem.demuxStream(live, out, out);
  const end = () => {
    (live as unknown as { destroy(): void }).destroy();
    res.end();
  };
  live.on('end', end);
  res.on('close', end);
}

/** sinceSeconds or sinceTime (RFC3339) as a Unix time in whole seconds, as the container runtime takes it. */
function sinceOf(q: URLSearchParams): number | undefined {
  const seconds = numberParam(q, 'sinceSeconds');
  if (seconds !== undefined) return Math.floor(Date.now() / 1000) - seconds;
  const time = q.get('sinceTime');
  if (!time) return undefined;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw badRequest(`sinceTime: Invalid value: "${time}": must be RFC3339`);
  return Math.floor(ms / 1000);
}

/** The payloads of Docker's multiplexed log frames (8-byte header: stream, 0, 0, 0, size). */
function frames(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(at + 4);
    out.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return out;
}
