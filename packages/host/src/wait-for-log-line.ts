import type { LogLine } from '@berth/core';
import { followLogs, type LogStream } from './log-files.js';
import { type WaitOptions, WaitTimedOut } from './poll-until.js';

/** A pattern from a template: a regular expression, or literal text when it is not a valid one. */
export function toPattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  try {
    return new RegExp(pattern);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

/**
 * Waits for a line matching `pattern` in either stream of a log directory, reading from `from`
 * (the offsets taken before the process started) so older runs' lines never count.
 */
export async function waitForLogLine(
  logDir: string,
  pattern: string | RegExp,
  opts: WaitOptions & { from?: Partial<Record<LogStream, number>> },
): Promise<LogLine> {
  const re = toPattern(pattern);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const lines = followLogs(logDir, { signal, pollMs: 50, ...(opts.from ? { from: opts.from } : {}) });
  for await (const line of lines) if (re.test(line.line)) return line;
  opts.signal?.throwIfAborted();
  throw new WaitTimedOut(`a log line matching /${re.source}/`, opts.timeoutMs);
}
