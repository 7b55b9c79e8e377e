import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { InvalidInput } from '@berth/core';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLabels } from './log-labels.js';

/** pino-pretty is read only for readable lines: a server logging JSON never needs it (~0.5 MB of heap). */
const require = createRequire(import.meta.url);

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
 * JSON lines are for collectors (Loki, Elastic): `level` as a word, `time` in ISO 8601 (UTC), `msg`,
 * and on every line about an instance its `instance`, `template` and `node` (see LogLabels).
 */
export function createLogger(
  level: string,
  format: LogFormat,
  /** Where the lines go; stdout when absent. */
  destination?: Writable,
  labels?: LogLabels,
): BerthLogger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'berth' },
    ...(labels ? labelOptions(labels) : {}),
  };
  if (format === 'json') {
    const json: pino.LoggerOptions = {
      ...options,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    };
    return destination ? pino(json, destination) : pino(json);
  }
  const pinoPretty = require('pino-pretty') as typeof PinoPretty;
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

/** The mixin adding an instance's labels; its fields win, so an id logged as `instance` becomes the name. */
function labelOptions(labels: LogLabels): pino.LoggerOptions {
  return {
    mixin: (fields, _level, logger) =>
      labels.fieldsFor(fields as Record<string, unknown>, (logger as pino.Logger).bindings()),
    mixinMergeStrategy: (fields, mixed) => Object.assign(fields, mixed),
  };
}
