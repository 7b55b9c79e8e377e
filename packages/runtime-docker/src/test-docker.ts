import type Dockerode from 'dockerode';
import { type DockerTestFailure, failureMessage, failureReason } from './docker-errors.js';

export type { DockerTestFailure };
export { failureReason };

export type DockerTestResult =
  | { ok: true; version: string; apiVersion: string; latencyMs: number }
  | { ok: false; reason: DockerTestFailure; message: string };

/** Asks the engine its version within `timeoutMs`; says why it could not, in one word and a sentence. */
export async function testDocker(
  client: Dockerode,
  opts: { timeoutMs?: number } = {},
): Promise<DockerTestResult> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const ac = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'BERTH_TIMEOUT' }));
    }, timeoutMs);
  });
  try {
    const v = await Promise.race([versionOf(client, ac.signal), timeout]);
    if (typeof v?.Version !== 'string') {
      return { ok: false, reason: 'unknown', message: 'the endpoint answered, but not like a Docker engine' };
    }
    return {
      ok: true,
      version: v.Version,
      apiVersion: v.ApiVersion,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    return { ok: false, reason: failureReason(err), message: failureMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** dockerode's version() takes an abort signal; its type definitions do not say so. */
function versionOf(client: Dockerode, signal: AbortSignal): Promise<Dockerode.DockerVersion> {
  const version = client.version as unknown as (opts: {
    abortSignal: AbortSignal;
  }) => Promise<Dockerode.DockerVersion>;
  return version.call(client, { abortSignal: signal });
}
