import { RuntimeUnavailable } from '@berth/core';

/** The HTTP status of a failed Engine API call (dockerode puts it on `statusCode`). */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The node error code of a failed connection (`ECONNREFUSED`, `ENOTFOUND`…). */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const isNotFound = (err: unknown) => statusOf(err) === 404;
export const isNotModified = (err: unknown) => statusOf(err) === 304;
export const isConflict = (err: unknown) => statusOf(err) === 409;

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** True when the engine could not be reached at all (as opposed to answering with an error). */
export function isConnectionError(err: unknown): boolean {
  const code = errnoOf(err);
  return code !== undefined && connectionCodes.has(code);
}

/** The engine's own message for a failed call, without dockerode's "(HTTP code 404) …" prefix. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').split('\n')[0] ?? message;
}

/** Turns "the engine cannot be reached" into RuntimeUnavailable; other errors pass through. */
export function asRuntimeError(err: unknown, node: string): unknown {
  if (!isConnectionError(err)) return err;
  return new RuntimeUnavailable(
    `The Docker engine of node ${node} cannot be reached: ${engineMessage(err)}`,
    {
      cause: err,
      details: { node },
    },
  );
}
