import type { PortConflictView } from '@berth/contracts';
import { isBerthError } from '@berth/core';
import { type CliErrorKind, EXIT_CODES } from './exit-codes.js';

/** Any failure the CLI reports: one line for people, an exit code from its kind. */
export class CliError extends Error {
  constructor(
    readonly kind: CliErrorKind,
    message: string,
    readonly code = 'ERROR',
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get portConflicts(): PortConflictView[] {
    return this.code === 'PORT_CONFLICT' && Array.isArray(this.details.portConflicts)
      ? (this.details.portConflicts as PortConflictView[])
      : [];
  }
}

export function isPortConflict(err: unknown): err is CliError {
  return err instanceof CliError && err.portConflicts.length > 0;
}

/** The exit code and the one line to print for anything thrown. */
export function describeFailure(err: unknown): { exitCode: number; message: string } {
  if (err instanceof CliError) return { exitCode: EXIT_CODES[err.kind], message: err.message };
  if (isBerthError(err)) return { exitCode: EXIT_CODES[err.kind], message: err.message };
  const code = (err as { code?: string } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    return { exitCode: EXIT_CODES.invalid, message: '' };
  }
  const message = err instanceof Error ? (err.message.split('\n')[0] ?? 'unknown error') : String(err);
  return { exitCode: EXIT_CODES.unknown, message };
}
