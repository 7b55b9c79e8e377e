import { describe, expect, it } from 'vitest';
import { parseRequestHead } from './request-head.js';

const parse = (head: string) => {
  const buf = Buffer.from(`xx${head}`, 'latin1');
  return parseRequestHead(buf, 2, buf.length);
};

describe('parseRequestHead', () => {
  it('adds X-Forwarded-For/-Host/-Proto and keeps every other line as it was', () => {
    const head = parse('GET /a?b=1 HTTP/1.1\r\nHost: web.localhost:7412\r\nAccept: */*\r\n\r\n');
    expect(head).toMatchObject({ host: 'web.localhost:7412', framing: 'none', length: 0 });
    expect(head?.forwarded('10.0.0.9')).toBe(
      'GET /a?b=1 HTTP/1.1\r\nHost: web.localhost:7412\r\nAccept: */*\r\n' +
        'x-forwarded-for: 10.0.0.9\r\nx-forwarded-host: web.localhost:7412\r\nx-forwarded-proto: http\r\n\r\n',
    );
  });

  it('names the request-target and sends another in its place when asked (the path form)', () => {
    const head = parse('GET /i/web/a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:7412\r\n\r\n');
    expect(head?.target).toBe('/i/web/a?b=1');
    expect(head?.forwarded('10.0.0.9', '/a?b=1')).toBe(
      'GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:7412\r\n' +
        'x-forwarded-for: 10.0.0.9\r\nx-forwarded-host: 127.0.0.1:7412\r\nx-forwarded-proto: http\r\n\r\n',
    );
  });

  it('leaves a head whose Authorization it cannot judge (a proxy worker holds no tokens)', () => {
    const buf = Buffer.from('GET / HTTP/1.1\r\nHost: web.localhost\r\nAuthorization: Bearer opaque\r\n\r\n');
    expect(parseRequestHead(buf, 0, buf.length, () => undefined)).toBeUndefined();
    expect(parseRequestHead(buf, 0, buf.length, () => false)?.forwarded('1.1.1.1')).toContain(
      'Bearer opaque',
    );
    const berths = Buffer.from(
      'GET / HTTP/1.1\r\nHost: web.localhost\r\nAuthorization: Bearer berth_x\r\n\r\n',
    );
    expect(parseRequestHead(berths, 0, berths.length, () => undefined)?.forwarded('1.1.1.1')).not.toContain(
      'Authorization',
    );
  });

  it('appends to a prior X-Forwarded-For and replaces X-Forwarded-Host/-Proto and Proxy-* lines', () => {
    const head = parse(
      'GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nHost: web.localhost\r\nx-forwarded-for: 2.2.2.2\r\n' +
        'X-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\nProxy-Authorization: x\r\nAccept: */*\r\n\r\n',
    );
    expect(head?.forwarded('127.0.0.1')).toBe(
      'GET / HTTP/1.1\r\nHost: web.localhost\r\nAccept: */*\r\n' +
        'x-forwarded-for: 1.1.1.1, 2.2.2.2, 127.0.0.1\r\nx-forwarded-host: web.localhost\r\nx-forwarded-proto: http\r\n\r\n',
    );
  });

  it('drops berth’s credentials and keeps the instance’s own', () => {
    const head = parse(
      'GET / HTTP/1.1\r\nHost: web.localhost\r\nCookie: app=1; berth_session=s3cret; theme=dark\r\n' +
        'Authorization: Bearer berth_abc\r\nCookie: berth_session=s3cret\r\nAccept: */*\r\n\r\n',
    );
    expect(head?.forwarded('127.0.0.1')).toBe(
      'GET / HTTP/1.1\r\nHost: web.localhost\r\nCookie: app=1; theme=dark\r\nAccept: */*\r\n' +
        'x-forwarded-for: 127.0.0.1\r\nx-forwarded-host: web.localhost\r\nx-forwarded-proto: http\r\n\r\n',
    );
    const own = 'GET / HTTP/1.1\r\nHost: web.localhost\r\nAuthorization: Basic dTpw\r\nCookie: sid=1\r\n';
    expect(parse(`${own}\r\n`)?.forwarded('127.0.0.1').startsWith(own)).toBe(true);
  });

  it('reads how the body is framed', () => {
    expect(parse('POST / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 12\r\n\r\n')).toMatchObject({
      framing: 'length',
      length: 12,
    });
    expect(parse('POST / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: Chunked\r\n\r\n')?.framing).toBe(
      'chunked',
    );
    const ws =
      'GET /ws HTTP/1.1\r\nHost: a.localhost\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n';
    expect(parse(ws)?.framing).toBe('opaque');
    expect(parse('GET / HTTP/1.1\r\nHost: a.localhost\r\nUpgrade: websocket\r\n\r\n')?.framing).toBe('none');
  });

  it('leaves anything ambiguous or malformed to Node’s parser', () => {
    for (const head of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/2.0\r\nHost: a.localhost\r\n\r\n',
      'GET /\r\nHost: a.localhost\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n', // no Host
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nHost: b.localhost\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nX-A: 1\r\n folded\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : a.localhost\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nX-A: a\nb\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nX-A: a\0b\r\n\r\n',
      'CONNECT a.localhost:80 HTTP/1.1\r\nHost: a.localhost\r\n\r\n',
    ]) {
      expect(parse(head), JSON.stringify(head)).toBeUndefined();
    }
  });
});
