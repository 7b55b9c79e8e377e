import { describe, expect, it } from 'vitest';
import { withoutToken } from './create-app.js';

describe('the request URL in the log', () => {
  it('masks a token in the query, wherever it stands, and keeps the rest', () => {
    expect(withoutToken('/api/v1/events?token=abc123')).toBe('/api/v1/events?token=***');
    expect(withoutToken('/api/v1/events?since=5&TOKEN=abc&x=1')).toBe('/api/v1/events?since=5&TOKEN=***&x=1');
    expect(withoutToken('/api/v1/instances?mytoken=keep')).toBe('/api/v1/instances?mytoken=keep');
  });
});
