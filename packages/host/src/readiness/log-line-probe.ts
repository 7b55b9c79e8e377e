import { notYet, type Probe, READY } from './probe.js';

/** A pattern from a template: a regular expression, or literal text when it is not a valid one. */
export function toPattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  try {
    return new RegExp(pattern);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

/** The lines a workload writes from now on, followed until `signal` aborts. */
export type LineSource<L extends { line: string }> = (signal: AbortSignal) => AsyncIterable<L>;

export interface LogLineProbe<L extends { line: string }> extends Probe {
  readonly pattern: RegExp;
  /** The first line that matched, once one has. */
  readonly matched: L | undefined;
}

/**
 * Ready once a line from `source` matches `pattern`. The source is followed from the moment the
 * probe is made (make it before the workload starts writing) until the probe is closed; a source
 * that fails makes the next check throw.
 */
export function logLineProbe<L extends { line: string }>(
  source: LineSource<L>,
  pattern: string | RegExp,
): LogLineProbe<L> {
  const re = toPattern(pattern);
  const following = new AbortController();
  let matched: L | undefined;
  let failed: { error: unknown } | undefined;
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  void (async () => {
    try {
      for await (const line of source(following.signal)) {
        if (re.test(line.line)) {
          matched = line;
          return wake();
        }
      }
    } catch (error) {
      if (following.signal.aborted) return;
      failed = { error };
      wake();
    }
  })();
  return {
    pattern: re,
    get matched() {
      return matched;
    },
    async check() {
      if (failed) throw failed.error;
      return matched ? READY : notYet(`no log line matched /${re.source}/`);
    },
    changed: () => woken,
    close: () => following.abort(),
  };
}
