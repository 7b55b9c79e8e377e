import { RuntimeUnavailable } from '@berth/core';
import { asRuntimeError } from './docker-errors.js';

/** How long a read of the engine's state may take before the node counts as unreachable. */
export const ENGINE_DEADLINE_MS = 2_500;

/**
 * Runs one engine call with an abort signal that fires after `ms`: an engine that does not answer
 * (a host gone from the network keeps sockets hanging) becomes RuntimeUnavailable quickly, and so
 * does one that refuses the connection.
 */
export async function withDeadline<T>(
  node: string,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
  ms = ENGINE_DEADLINE_MS,
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
