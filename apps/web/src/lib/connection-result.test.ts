import { describe, expect, it } from 'vitest';
import { verdictOf } from './connection-result';

describe('verdictOf', () => {
  it('reads a success as version and latency', () => {
    expect(verdictOf({ ok: true, version: '2.21.4', latencyMs: 12.4 }, 'Portainer')).toEqual({
      ok: true,
      text: 'Reachable: Portainer 2.21.4, 12 ms',
    });
    expect(verdictOf({ ok: true, latencyMs: 3 }).text).toBe('Reachable: 3 ms');
  });

  it('names the reason in words, then the server’s detail', () => {
    const v = verdictOf({
      ok: false,
      reason: 'unauthorized',
      message: 'the credentials were rejected (HTTP 401)',
    });
    expect(v.ok).toBe(false);
    expect(v.reason).toBe('unauthorized');
    // the server's sentence repeats the headline: only its detail is kept
    expect(v.text).toBe('The credentials were rejected (unauthorized): check the API key — HTTP 401');
    expect(verdictOf({ ok: false, reason: 'dns', message: 'getaddrinfo ENOTFOUND x' }).text).toBe(
      'The host name cannot be resolved (DNS) — getaddrinfo ENOTFOUND x',
    );
    expect(verdictOf({ ok: false, reason: 'refused', message: 'x' }).text).toMatch(/refused/);
  });

  it('keeps the server’s sentence for an unknown reason or an older `{ error }` answer', () => {
    expect(verdictOf({ ok: false, reason: 'unknown', message: 'HTTP 500' }).text).toBe('HTTP 500');
    expect(verdictOf({ error: 'no route' }).text).toBe('no route');
  });
});
