import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, errorKindOf } from './error-status.js';

describe('errorKindOf', () => {
  it('finds a storage failure from its status: 507 is a full disk', () => {
    expect(ERROR_STATUS.storage_full).toBe(507);
    expect(errorKindOf(507)).toBe('storage_full');
  });

  it('tells the two 503s apart by the envelope code, and falls back to the first kind without one', () => {
    expect(errorKindOf(503, 'STORAGE_UNAVAILABLE')).toBe('storage_unavailable');
    expect(errorKindOf(503, 'RUNTIME_UNAVAILABLE')).toBe('runtime_unavailable');
    expect(errorKindOf(503)).toBe('runtime_unavailable');
    expect(errorKindOf(409, 'PORT_CONFLICT')).toBe('conflict');
    expect(errorKindOf(418)).toBeUndefined();
  });
});
