import { pino } from 'pino';

export type BerthLogger = pino.Logger;

/** The one structured logger; parts take a child with their namespace (`http`, `reconciler`, `proxy`). */
export function createLogger(level: string): BerthLogger {
  return pino({ level, base: { app: 'berth' } });
}
