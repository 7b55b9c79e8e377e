import { describe, expect, it } from 'vitest';
import { assertName, nameProblem } from './names.js';

describe('instance names', () => {
  it.each(['api-1', 'staging', 'a', 'web-2x'])('accepts %s', (n) => expect(nameProblem(n)).toBeNull());
  it.each([
    ['', 'empty'],
    ['../x', "'/' or '..'"],
    ['a/b', "'/' or '..'"],
    ['a;rm -rf', 'only lowercase'],
    ['$(id)', 'only lowercase'],
    ['Api', 'lowercase'],
    ['1api', 'start with'],
    ['api-', 'end with a dash'],
    ['x'.repeat(64), '63'],
  ])('refuses %j', (n, why) => expect(nameProblem(n)).toContain(why));
  it('throws InvalidInput naming the field', () => {
    expect(() => assertName('instance', 'a b')).toThrow(/instance name 'a b' is invalid/);
  });
});
