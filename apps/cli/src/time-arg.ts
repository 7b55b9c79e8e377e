import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A `--since` value as epoch milliseconds: a duration back from `now` (`30s`, `5m`, `1h`, `2d`),
 * an ISO date-time, or epoch milliseconds.
 */
export function parseSince(raw: string, now = Date.now()): number {
  const ago = /^(\d+(?:\.\d+)?)([smhd])$/.exec(raw.trim());
  if (ago) return Math.round(now - Number(ago[1]) * UNITS[ago[2]!]!);
  if (/^\d{10,}$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isFinite(ms)) return ms;
  throw new CliError('invalid', `--since '${raw}': use a duration like 5m or 1h, or an ISO time`);
}

/** A count option (`--tail 50`), validated. */
export function parseCount(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('invalid', `${flag} '${raw}': must be a whole number ≥ 0`);
  return n;
}
