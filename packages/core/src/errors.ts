import type { BerthErrorCode } from './error-codes.js';

/**
 * Domain errors. Every error a user can see is one of these; the edges (HTTP, WebSocket, CLI)
 * map `kind` to a status, close code or exit code in one table each. Anything else is a bug.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'runtime_unavailable'
  | 'storage_full'
  | 'storage_unavailable';

export interface PortConflict {
  /** The template's name for the port (`http`). */
  name: string;
  /** The env var that carries it to the workload, if any (`PORT`). */
  envVar: string | null;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Who holds it, in words: "berth instance api-2", "process nginx (pid 812)". */
  usedBy: string;
  /** A port free by every source, or null when the range is exhausted. */
  suggestedPort: number | null;
}

export abstract class BerthError extends Error {
  abstract readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. `PORT_CONFLICT`. */
  readonly code: BerthErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: BerthErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

export class InvalidInput extends BerthError {
  readonly kind = 'invalid' as const;
  constructor(
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; code?: BerthErrorCode },
  ) {
    super(options?.code ?? 'INVALID_INPUT', message, options);
  }
}

export class NotFound extends BerthError {
  readonly kind = 'not_found' as const;
  /**
   * `known`: the names that do exist, said in the message ("the templates are: a, b") and given
   * whole in `details.known`, so a typo is one look away from its fix.
   */
  constructor(what: string, id: string, options?: { cause?: unknown; known?: readonly string[] }) {
    const known = options?.known;
    super('NOT_FOUND', `${what} '${id}' was not found${known ? knownWords(what, known) : ''}`, {
      cause: options?.cause,
      details: known ? { what, id, known: [...known] } : { what, id },
    });
  }
}

/** The most names a not-found message lists; `details.known` has them all. */
const KNOWN_IN_MESSAGE = 20;

function knownWords(what: string, known: readonly string[]): string {
  if (known.length === 0) return `; there are no ${what}s yet`;
  const shown = known.slice(0, KNOWN_IN_MESSAGE).join(', ');
  const more = known.length > KNOWN_IN_MESSAGE ? ` and ${known.length - KNOWN_IN_MESSAGE} more` : '';
  return `; the ${what}s are: ${shown}${more}`;
}

export class Conflict extends BerthError {
  readonly kind = 'conflict' as const;
  readonly portConflicts: PortConflict[];
  constructor(
    message: string,
    options?: {
      cause?: unknown;
      details?: Record<string, unknown>;
      code?: BerthErrorCode;
      portConflicts?: PortConflict[];
    },
  ) {
    const portConflicts = options?.portConflicts ?? [];
    super(options?.code ?? (portConflicts.length > 0 ? 'PORT_CONFLICT' : 'CONFLICT'), message, {
      cause: options?.cause,
      details: portConflicts.length > 0 ? { ...options?.details, portConflicts } : options?.details,
    });
    this.portConflicts = portConflicts;
  }
}

export class NotAllowed extends BerthError {
  readonly kind = 'forbidden' as const;
  constructor(message: string, options?: { cause?: unknown; code?: BerthErrorCode }) {
    super(options?.code ?? 'NOT_ALLOWED', message, options);
  }
}

export class Unauthenticated extends BerthError {
  readonly kind = 'unauthenticated' as const;
  constructor(message = 'A valid token is required', options?: { cause?: unknown }) {
    super('UNAUTHENTICATED', message, options);
  }
}

export class Unprocessable extends BerthError {
  readonly kind = 'unprocessable' as const;
  constructor(
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown>; code?: BerthErrorCode },
  ) {
    super(options?.code ?? 'UNPROCESSABLE', message, options);
  }
}

export class RuntimeUnavailable extends BerthError {
  readonly kind = 'runtime_unavailable' as const;
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('RUNTIME_UNAVAILABLE', message, options);
  }
}

/**
 * berth's own records could not be read or written (the disk holding BERTH_HOME is full,
 * read-only, failing, or the database is damaged or locked). The write it was part of did not
 * commit, and nothing was asked of a runtime on its account. `full` is the one a user can fix by
 * freeing space (507); every other cause is 503.
 */
export class StorageUnavailable extends BerthError {
  readonly kind: 'storage_full' | 'storage_unavailable';
  constructor(
    message: string,
    options: { full: boolean; cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(options.full ? 'STORAGE_FULL' : 'STORAGE_UNAVAILABLE', message, options);
    this.kind = options.full ? 'storage_full' : 'storage_unavailable';
  }
}

export function isBerthError(err: unknown): err is BerthError {
  return err instanceof BerthError;
}

/** A message safe to show a user for any thrown value (never a stack). */
export function userMessage(err: unknown): string {
  if (err instanceof BerthError) return err.message;
  if (err instanceof Error && err.message) return err.message.split('\n')[0] ?? 'unknown error';
  return 'unknown error';
}
