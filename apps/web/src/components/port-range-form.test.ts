import { describe, expect, it } from 'vitest';
import { parseReservedLines } from './port-range-form';

describe('the reserved ranges of the port range form', () => {
  it('reads one range or port a line, with why; blank lines are skipped', () => {
    expect(parseReservedLines('8000-8099 dev servers\n\n 9000 metrics \n9100 - 9109  a b')).toEqual([
      { from: 8000, to: 8099, reason: 'dev servers' },
      { from: 9000, to: 9000, reason: 'metrics' },
      { from: 9100, to: 9109, reason: 'a b' },
    ]);
    expect(parseReservedLines('')).toEqual([]);
  });

  it('names the line that is not a range with a reason (the server checks the numbers)', () => {
    expect(parseReservedLines('8000-8099 ok\n8100')).toEqual({
      line: 2,
      problem: expect.stringMatching(/then why/),
    });
    expect(parseReservedLines('ports 80')).toMatchObject({ line: 1 });
  });
});
