import type { ErrorKind } from '@berth/core';

/** The HTTP edge's one table: a domain error's kind → the status the API answers with. */
export const ERROR_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  runtime_unavailable: 503,
};

/** The kind behind a status the API answered with (clients use it to pick exit codes). */
export function errorKindOf(status: number): ErrorKind | undefined {
  for (const [kind, s] of Object.entries(ERROR_STATUS)) if (s === status) return kind as ErrorKind;
  return undefined;
}
