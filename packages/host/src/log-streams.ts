import { join } from 'node:path';

export type LogStream = 'stdout' | 'stderr';
export const LOG_STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

export function logFilePath(logDir: string, stream: LogStream): string {
  return join(logDir, `${stream}.log`);
}
