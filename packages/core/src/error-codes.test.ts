import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';
import { Conflict, InvalidInput, NotAllowed, Unprocessable } from './errors.js';

describe('error codes', () => {
  it('are listed once each, in the SCREAMING_SNAKE form clients match', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  it("are each kind's default when none is given", () => {
    const defaults = [
      new InvalidInput('x').code,
      new Conflict('x').code,
      new NotAllowed('x').code,
      new Unprocessable('x').code,
    ];
    expect(defaults).toEqual(['INVALID_INPUT', 'CONFLICT', 'NOT_ALLOWED', 'UNPROCESSABLE']);
    for (const code of defaults) expect(ERROR_CODES).toContain(code);
  });

  it('refuse a free string at compile time', () => {
    // @ts-expect-error a code outside ERROR_CODES does not type-check (tsc -p tsconfig.test.json)
    const err = new InvalidInput('x', { code: 'SOMETHING_NEW' });
    expect(err.code).toBe('SOMETHING_NEW');
  });
});
