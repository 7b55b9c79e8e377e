import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it('turns colour codes into styled runs and drops the codes', () => {
    expect(parseAnsi('\u001b[32mGET\u001b[0m /a')).toEqual([
      { text: 'GET', fg: 'var(--ansi-green)' },
      { text: ' /a' },
    ]);
  });

  it('keeps bold across a colour change and resets on 0', () => {
    const runs = parseAnsi('\u001b[1;31merr\u001b[34m!\u001b[mok');
    expect(runs).toEqual([
      { text: 'err', bold: true, fg: 'var(--ansi-red)' },
      { text: '!', bold: true, fg: 'var(--ansi-blue)' },
      { text: 'ok' },
    ]);
  });

  it('reads 256-colour and true-colour codes', () => {
    expect(parseAnsi('\u001b[38;5;196mx')[0]?.fg).toBe('rgb(255, 0, 0)');
    expect(parseAnsi('\u001b[48;2;1;2;3mx')[0]?.bg).toBe('rgb(1, 2, 3)');
  });

  it('drops cursor movement and leaves plain text alone', () => {
    expect(parseAnsi('a\u001b[2Kb')).toEqual([{ text: 'ab' }]);
    expect(stripAnsi('\u001b[33mwarn\u001b[0m')).toBe('warn');
  });
});
