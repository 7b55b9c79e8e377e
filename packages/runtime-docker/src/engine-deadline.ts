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

/** How long an engine found unreachable is not asked again: each read fails at once meanwhile. */
export const UNREACHABLE_HOLD_MS = 2_000;

/**
 * The reads of one engine, each with its deadline, and a short memory of the engine being
 * unreachable: once a read found it so (no answer within the deadline, or a refused connection),
 * reads in the next `holdMs` fail at once with the same reason instead of each waiting out the
 * deadline again. A reconciler pass that lists a node's containers and then inspects the ones it
 * could not see would otherwise take two deadlines or more before the instances show `unreachable`.
 */
export class EngineReads {
  private unreachable: { until: number; error: RuntimeUnavailable } | undefined;

  constructor(
    private readonly node: string,
    private readonly deadlineMs: number,
    private readonly holdMs = UNREACHABLE_HOLD_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async read<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const known = this.unreachable;
    if (known && this.now() < known.until) throw known.error;
    try {
      const value = await withDeadline(this.node, what, call, this.deadlineMs);
      this.unreachable = undefined;
      return value;
    } catch (err) {
      if (err instanceof RuntimeUnavailable)
        this.unreachable = { until: this.now() + this.holdMs, error: err };
      throw err;
    }
  }
}
