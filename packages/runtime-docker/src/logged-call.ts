import type { Logger } from '@berth/core';
import { engineMessage } from './docker-errors.js';

/**
 * Runs one external call between "Starting X…" and "Started X" / "Failed to start X: reason"
 * debug lines, then returns or rethrows what the call did.
 */
export async function loggedCall<T>(
  log: Logger,
  what: string,
  call: () => Promise<T>,
  context: Record<string, unknown> = {},
): Promise<T> {
  log.debug(context, `Starting ${what}…`);
  try {
    const result = await call();
    log.debug(context, `Started ${what}`);
    return result;
  } catch (err) {
    log.debug({ ...context, err: engineMessage(err) }, `Failed to start ${what}: ${engineMessage(err)}`);
    throw err;
  }
}
