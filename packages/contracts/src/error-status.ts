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
  /** The disk holding BERTH_HOME is full: the change was not saved. */
  storage_full: 507,
  /** berth's database is read-only, failing, damaged or locked: the change was not saved. */
  storage_unavailable: 503,
};

/**
 * The kind behind a status the API answered with (clients use it to pick exit codes). Where kinds
 * share a status (503), the envelope's `code` picks the one whose name it spells
 * (`STORAGE_UNAVAILABLE` → `storage_unavailable`); otherwise the first in the table.
 */
export function errorKindOf(status: number, code?: string): ErrorKind | undefined {
  const kinds = (Object.keys(ERROR_STATUS) as ErrorKind[]).filter((k) => ERROR_STATUS[k] === status);
  return kinds.find((k) => k.toUpperCase() === code) ?? kinds[0];
}
