/** What one look at a workload found: ready, or why not yet. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/**
 * One way of telling that a workload is ready, looked at again and again by `waitUntilReady`.
 * `check` throws when the workload never will be (it exited, its health check says unhealthy).
 */
export interface Probe {
  check(signal?: AbortSignal): Promise<ProbeResult>;
  /** Resolves when a look is worth taking before the next poll (say, a watched line arrived). */
  changed?(): Promise<void>;
  /** Frees what the probe holds (a followed log); `waitUntilReady` calls it when it returns. */
  close?(): void;
}

export const READY: ProbeResult = { ok: true };

export function notYet(reason: string): ProbeResult {
  return { ok: false, reason };
}

function combined(probes: Probe[], check: Probe['check']): Probe {
  const changes = probes.flatMap((p) => (p.changed ? [p] : []));
  return {
    check,
    ...(changes.length > 0 ? { changed: () => Promise.race(changes.map((p) => p.changed!())) } : {}),
    close: () => {
      for (const p of probes) p.close?.();
    },
  };
}

/** Ready when every probe is, looked at in order (a later probe may rely on an earlier one's look). */
export function allOf(...probes: Probe[]): Probe {
  return combined(probes, async (signal) => {
    for (const probe of probes) {
      const result = await probe.check(signal);
      if (!result.ok) return result;
    }
    return READY;
  });
}

/** Ready when one probe is, looked at in order; otherwise the last one's reason. */
export function anyOf(...probes: Probe[]): Probe {
  return combined(probes, async (signal) => {
    let last = notYet('nothing to look at');
    for (const probe of probes) {
      last = await probe.check(signal);
      if (last.ok) return last;
    }
    return last;
  });
}
