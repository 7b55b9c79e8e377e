import type { BuildProgress } from '../image/build-progress.js';
import type { BuildLogLine, BuildRecord } from './build-record.js';

/** How many output lines a build record keeps. */
export const LOG_LINES = 400;

/** Appends a line to the record's ring of logs, numbering it so readers can ask for what is new. */
export function appendLog(record: BuildRecord, p: BuildProgress, ts: number): BuildLogLine {
  const seq = (record.logs.at(-1)?.seq ?? 0) + 1;
  const line: BuildLogLine = { seq, ts, ...p, message: p.message.slice(0, 2000) };
  record.logs.push(line);
  if (record.logs.length > LOG_LINES) record.logs.splice(0, record.logs.length - LOG_LINES);
  if (p.totalSteps > 0) {
    record.step = p.step;
    record.totalSteps = p.totalSteps;
  }
  return line;
}
