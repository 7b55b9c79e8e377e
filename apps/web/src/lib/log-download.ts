import type { LogLineView } from '../api/types';
import { stripAnsi } from './ansi';

/** Log lines as a text file: each line's ISO time, its stream and its text without ANSI codes. */
export function logText(lines: readonly LogLineView[]): string {
  return lines
    .map(
      (l) => `${new Date(l.ts).toISOString()}${l.approximate ? '~' : ''} ${l.stream} ${stripAnsi(l.line)}\n`,
    )
    .join('');
}

/** Hands `text` to the browser as a download named `fileName`. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
