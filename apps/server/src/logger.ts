import type { Writable } from 'node:stream';
import { InvalidInput } from '@berth/core';
import { pino } from 'pino';
import pinoPretty from 'pino-pretty';

export type BerthLogger = pino.Logger;

/** `json`: one JSON object a line, for machines. `pretty`: one readable line an event, for people. */
export type LogFormat = 'json' | 'pretty';

/**
 * BERTH_LOG_FORMAT when it is set; otherwise readable lines when stdout is a terminal and JSON lines
 * when it is a file, a pipe or a log collector.
 */
export function logFormat(env: NodeJS.ProcessEnv, isTTY = process.stdout.isTTY === true): LogFormat {
  const raw = env.BERTH_LOG_FORMAT?.trim();
  if (!raw) return isTTY ? 'pretty' : 'json';
  if (raw === 'json' || raw === 'pretty') return raw;
  throw new InvalidInput(`BERTH_LOG_FORMAT must be 'json' or 'pretty', got '${raw}'`, {
    details: { field: 'BERTH_LOG_FORMAT' },
  });
}

/**
 * The one structured logger; parts take a child with their namespace (`http`, `reconciler`, `proxy`).
 * Pretty lines read `12:04:31.207 INFO: proxy: listening {"port":7412}`: local time, level, namespace,
 * message, then the other fields on the same line. They are written synchronously to stdout (no
 * worker thread), so they stay in order with what berth prints itself, such as the admin token.
 */
export function createLogger(
  level: string,
  format: LogFormat,
  /** Where the lines go; stdout when absent. */
  destination?: Writable,
): BerthLogger {
  const options = { level, base: { app: 'berth' } };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  return pino(
    options,
    pinoPretty({
      destination: destination ?? 1,
      sync: true,
      colorize: destination === undefined && pinoPretty.isColorSupported,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,app,ns',
      messageFormat: '{if ns}{ns}: {end}{msg}',
      singleLine: true,
    }),
  );
}
