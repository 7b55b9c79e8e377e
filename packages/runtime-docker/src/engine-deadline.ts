import { RuntimeUnavailable } from '@berth/core';
import { asRuntimeError } from './docker-errors.js';

/**
 * How long a read of the engine's state may take before the node counts as unreachable. A local
 * socket fails at once when the engine is gone, so only a busy engine is slow: it gets long. A
 * remote host that vanished from the network just stays silent: it gets short, so its instances
 * turn `unreachable` within seconds.
 */
export const ENGINE_DEADLINE_MS = { local: 15_000, remote: 3_000 } as const;

/**
 * Runs one engine call with an abort signal that fires after `ms`: an engine that does not answer
 * (a host gone from the network keeps sockets hanging) becomes RuntimeUnavailable quickly, and so
 * does one that refuses the connection.
 */
export async function withDeadline<T>(
  node: string,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
  ms: number = ENGINE_DEADLINE_MS.local,
): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await call(signal);
  } catch (err) {
    if (signal.aborted) {
      throw new RuntimeUnavailable(
        `The Docker engine of node ${node} did not answer the ${what} within ${ms} ms`,
        { cause: err, details: { node } },
      );
    }
    throw asRuntimeError(err, node);
  }
}
