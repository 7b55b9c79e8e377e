import type { LogLine } from '@berth/core';
import { followLogs, type LogStream } from '../log-files.js';
import { logLineProbe } from './log-line-probe.js';
import { waitUntilReady } from './wait-until-ready.js';

export interface LogLineWait {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The offsets taken before the process started, so older runs' lines never count. */
  from?: Partial<Record<LogStream, number>>;
}

/** Waits for a line matching `pattern` in either stream of a log directory; returns that line. */
export async function waitForLogLine(
  logDir: string,
  pattern: string | RegExp,
  opts: LogLineWait,
): Promise<LogLine> {
  const { from } = opts;
  const probe = logLineProbe(
    (signal) => followLogs(logDir, { signal, pollMs: 50, ...(from ? { from } : {}) }),
    pattern,
  );
  const what = `a log line matching /${probe.pattern.source}/`;
  await waitUntilReady(probe, { what, timeoutMs: opts.timeoutMs, signal: opts.signal });
  return probe.matched!;
}
