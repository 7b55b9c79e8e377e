import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectDocker } from './connect-docker.js';
import { failureReason, testDocker } from './test-docker.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('testDocker', () => {
  it('maps node error codes to one word', () => {
    expect(failureReason(withCode('ENOTFOUND'))).toBe('dns');
    expect(failureReason(withCode('ECONNREFUSED'))).toBe('refused');
    expect(failureReason(withCode('EHOSTUNREACH'))).toBe('unreachable');
    expect(failureReason(withCode('ETIMEDOUT'))).toBe('timeout');
    expect(failureReason(withCode('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('tls');
    expect(failureReason(withCode('ERR_SSL_WRONG_VERSION_NUMBER'))).toBe('tls');
    expect(failureReason(Object.assign(new Error('no'), { statusCode: 401 }))).toBe('unauthorized');
    expect(failureReason(new Error('All configured authentication methods failed'))).toBe('unauthorized');
  });

  it('reports refused for a closed loopback port, and timeout for a silent one', async () => {
    const closed = await testDocker(connectDocker({ kind: 'tcp', host: '127.0.0.1', port: 1 }));
    expect(closed).toMatchObject({ ok: false, reason: 'refused' });

    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const result = await testDocker(connectDocker({ kind: 'tcp', host: '127.0.0.1', port }), {
        timeoutMs: 300,
      });
      expect(result).toMatchObject({ ok: false, reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      silent.close();
    }
  });
});
