import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { isUnreachable } from './connection';

describe('isUnreachable', () => {
  it('counts a network error and a gateway answer without berth’s envelope as the server being down', () => {
    expect(isUnreachable(new TypeError('Failed to fetch'))).toBe(true);
    for (const status of [502, 503, 504]) {
      expect(isUnreachable(new ApiError(status, `HTTP_${status}`, `The server answered ${status}`))).toBe(
        true,
      );
    }
  });

  it('does not count berth answering 503 in its own words (a Docker engine or the disk unavailable)', () => {
    expect(
      isUnreachable(new ApiError(503, 'runtime_unavailable', 'Docker on node far-box does not answer')),
    ).toBe(false);
    expect(isUnreachable(new ApiError(503, 'storage_unavailable', 'The database is locked'))).toBe(false);
  });

  it('does not count an ordinary refusal', () => {
    expect(isUnreachable(new ApiError(404, 'NOT_FOUND', 'No instance named x'))).toBe(false);
    expect(isUnreachable(new ApiError(500, 'HTTP_500', 'The server answered 500'))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });
});
