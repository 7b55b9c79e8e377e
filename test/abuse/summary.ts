import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Records one abuse test file's figures (requests, statuses, durations…) as JSON in
 * BERTH_ABUSE_SUMMARY (default: <tmp>/berth-abuse-summary), where .ci/run prints them, and on
 * stdout for a local run.
 */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const dir = process.env.BERTH_ABUSE_SUMMARY ?? join(tmpdir(), 'berth-abuse-summary');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[abuse] ${name}: ${JSON.stringify(figures)}`);
}
