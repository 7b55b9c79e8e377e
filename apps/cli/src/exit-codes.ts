import type { ErrorKind } from '@berth/core';

export type CliErrorKind = ErrorKind | 'unreachable' | 'unknown';

/** The CLI edge's one table: an error's kind → the process exit code. */
export const EXIT_CODES: Record<CliErrorKind, number> = {
  invalid: 2,
  unauthenticated: 3,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  unprocessable: 6,
  runtime_unavailable: 7,
  unreachable: 8,
  storage_full: 9,
  storage_unavailable: 10,
  unknown: 1,
};
