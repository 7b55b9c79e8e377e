import { type Clock, type Logger, type StorageUnavailable, userMessage } from '@berth/core';

/**
 * Logs each storage failure with its cause: the first of a kind (SQLite code and operation) at
 * once, then at most one line per `quietMs` carrying how many were not logged in between, so a
 * full disk the reconciler keeps meeting every tick does not flood the log.
 */
export class StorageFailureLog {
  readonly #last = new Map<string, { at: number; unlogged: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly quietMs = 30_000,
  ) {}

  report(err: StorageUnavailable, operation: string): void {
    const sqliteCode = String(err.details?.sqliteCode ?? err.code);
    const key = `${sqliteCode} ${operation}`;
    const now = this.clock.now();
    const last = this.#last.get(key);
    if (last && now - last.at < this.quietMs) {
      last.unlogged++;
      return;
    }
    this.#last.set(key, { at: now, unlogged: 0 });
    this.log.error(
      {
        operation,
        code: sqliteCode,
        cause: userMessage(err.cause),
        ...(last?.unlogged ? { notLoggedSince: last.unlogged } : {}),
      },
      err.message,
    );
  }
}
