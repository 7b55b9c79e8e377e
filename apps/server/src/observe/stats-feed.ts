import type { ResourceSample, ResourceSampler } from '@berth/core';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * An instance's samples newer than `since` (default: just the latest), then each new one as the
 * sampler takes it, until the signal aborts.
 */
export async function* followStats(
  sampler: ResourceSampler,
  instanceId: string,
  since: number | undefined,
  signal: AbortSignal,
  pollMs = 500,
): AsyncGenerator<ResourceSample> {
  let last = since;
  if (last === undefined) {
    const latest = sampler.latest(instanceId);
    if (latest) yield latest;
    last = latest?.ts ?? 0;
  }
  while (!signal.aborted) {
    for (const s of sampler.history(instanceId, last)) {
      last = s.ts;
      yield s;
    }
    await sleep(pollMs, signal);
  }
}
