import type { DeploySpec, WaitStrategy } from '@berth/core';
import {
  connectLooks,
  httpProbe,
  type LogStream,
  portProbe,
  waitForLogLine,
  waitUntilReady,
} from '@berth/host';

export interface ReadinessOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Log file offsets taken before the process started: only its own lines count. */
  logOffsets: Record<LogStream, number>;
}

/**
 * A process has no health check of its own, so `health` waits for its first tcp port (berth's
 * health checker takes over once it runs); with no tcp port it is ready once started.
 */
function effective(spec: DeploySpec): WaitStrategy {
  if (spec.readiness.kind !== 'health') return spec.readiness;
  const first = spec.ports.find((p) => p.protocol === 'tcp');
  return first ? { kind: 'port', port: first.hostPort } : { kind: 'none' };
}

/** Waits until the spec's readiness strategy says the process is ready. */
export async function waitReady(spec: DeploySpec, opts: ReadinessOptions): Promise<void> {
  const { signal, timeoutMs } = opts;
  const strategy = effective(spec);
  switch (strategy.kind) {
    case 'port': {
      const what = `port ${strategy.port} accepting connections`;
      return waitUntilReady(portProbe({ port: strategy.port }), {
        what,
        signal,
        timeoutMs,
        budget: connectLooks,
      });
    }
    case 'http': {
      const url = `http://127.0.0.1:${strategy.port}${strategy.path.startsWith('/') ? '' : '/'}${strategy.path}`;
      const { expectStatus } = strategy;
      const what = `HTTP ${url} answering${expectStatus !== undefined ? ` ${expectStatus}` : ''}`;
      return waitUntilReady(httpProbe({ url, expectStatus }), {
        what,
        signal,
        timeoutMs,
        budget: connectLooks,
      });
    }
    case 'log':
      await waitForLogLine(spec.logDir, strategy.pattern, { signal, timeoutMs, from: opts.logOffsets });
      return;
    default:
      return;
  }
}

export function describeReadiness(spec: DeploySpec): string {
  const s = effective(spec);
  switch (s.kind) {
    case 'port':
      return `port ${s.port} to accept connections`;
    case 'http':
      return `HTTP ${s.path} on port ${s.port} to answer`;
    case 'log':
      return `a log line matching /${s.pattern}/`;
    default:
      return 'it to start';
  }
}
