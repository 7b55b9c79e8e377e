import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectDocker } from './connect-docker.js';
import { failureMessage, isConnectionError } from './docker-errors.js';
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
    expect(failureReason(withCode('ERR_SSH_HOST_KEY'))).toBe('hostkey');
    expect(failureReason(Object.assign(new Error('no'), { statusCode: 401 }))).toBe('unauthorized');
    expect(failureReason(new Error('All configured authentication methods failed'))).toBe('unauthorized');
  });

  it('says which side of a TLS or ssh connection refused what, in words', () => {
    const tls = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(
      failureMessage(tls('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')),
    ).toBe(
      "TLS: the engine's certificate is not signed by the node's CA (tls.ca or ca.pem) — unable to verify the first certificate",
    );
    const badClient = Object.assign(
      tls(
        'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
        '80BC:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/rec.c:1601',
      ),
      { reason: 'sslv3 alert bad certificate' },
    );
    expect(failureMessage(badClient)).toMatch(
      /^TLS: the engine rejected berth's client certificate .* — sslv3 alert bad certificate$/,
    );
    expect(
      failureMessage(
        tls(
          'EPROTO',
          'write EPROTO 80BC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../x.c:350:',
        ),
      ),
    ).toBe(
      'TLS: the endpoint does not speak TLS (a plain tcp engine, usually on port 2375?) — wrong version number',
    );
    const plainToTls = Object.assign(
      new Error('(HTTP code 400) unexpected - Client sent an HTTP request to an HTTPS server.'),
      {
        statusCode: 400,
      },
    );
    expect(failureReason(plainToTls)).toBe('tls');
    expect(failureMessage(plainToTls)).toMatch(
      /^TLS: the engine only talks TLS; give the node its certificates/,
    );
    const login = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    });
    expect(failureReason(login)).toBe('unauthorized');
    expect(failureMessage(login)).toMatch(/^ssh: the server accepted none of berth's credentials/);
    for (const err of [badClient, login, plainToTls]) expect(isConnectionError(err)).toBe(err !== plainToTls);
  });

  it('reports refused for a closed loopback port, and timeout for a silent one', async () => {
    const closed = await testDocker(connectDocker({ kind: 'tcp', host: '127.0.0.1', port: 1 }));
    expect(closed).toMatchObject({ ok: false, reason: 'refused' });

    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    try {
      // The silent server never answers: only testDocker's own timer can end the wait (no
      // stopwatch, which a loaded machine would make lie).
      const result = await testDocker(connectDocker({ kind: 'tcp', host: '127.0.0.1', port }), {
        timeoutMs: 300,
      });
      expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    } finally {
      silent.close();
    }
  });
});
