import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from '../../apps/server/test/test-server.js';
import { recordFigures } from './summary.js';

// Request-smuggling framings sent raw to the proxy port, in both of its forms: the host form
// (`<name>.localhost`) and the path form (`/i/<name>/` with any other Host), both spliced by the
// connection router while it reads each head, which leaves every head it does not fully understand
// to the per-request Node proxy (its parser answers it). Each framing
// hides a second request, `GET /smuggled`, that a proxy and an upstream disagreeing on where the
// body ends would deliver. The instances write every request they receive to a file: no framing
// may get /smuggled there, and each is refused with a 4xx. Ports 14200–14299 belong to this file.

const seenDir = mkdtempSync(join(tmpdir(), 'berth-abuse-framing-'));

/** An HTTP + WebSocket service that appends "<instance> <method> <url>" to $SEEN for each request. */
function recordingTemplate(name: string, range: [number, number]) {
  const echo = echoTemplate(name, range);
  const script = [
    "const http=require('http');const fs=require('fs');const {WebSocketServer}=require('ws');",
    'const s=http.createServer((q,r)=>{fs.appendFileSync(process.env.SEEN,process.env.BERTH_INSTANCE+" "+q.method+" "+q.url+"\\n");',
    'q.resume();q.on("end",()=>r.end("ok "+q.url))});',
    // Garbage frames (the bytes pipelined after an upgrade) are an error for that socket only.
    "new WebSocketServer({server:s}).on('connection',c=>{c.on('error',()=>c.terminate());c.on('message',m=>c.send('echo:'+m))});",
    's.listen(process.env.PORT);',
  ].join('');
  return {
    ...echo,
    source: { ...echo.source, args: ['-e', script] },
    env: { ...echo.env, SEEN: join(seenDir, 'seen.log') },
  };
}

let t: TestServer;

beforeAll(async () => {
  writeFileSync(join(seenDir, 'seen.log'), '');
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [recordingTemplate('rec', [14_200, 14_299])],
  });
  for (const name of ['fa', 'fb']) {
    const created = await t.api('POST', '/instances?wait=1', { template: 'rec', name });
    expect(created.body.status).toBe('running');
  }
});

afterAll(async () => {
  await t?.close();
  rmSync(seenDir, { recursive: true, force: true });
});

const seen = () => readFileSync(join(seenDir, 'seen.log'), 'utf8');

/** Writes `data` on a raw connection to the proxy port; resolves with all it reads until closed (or 3 s). */
function raw(data: string | string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.proxyPort, '127.0.0.1');
    let read = '';
    socket.setEncoding('latin1');
    socket.setTimeout(3_000, () => socket.destroy());
    socket.on('data', (c) => (read += c));
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
    for (const piece of Array.isArray(data) ? data : [data]) socket.write(piece);
  });
}

const SMUGGLED = (host: string) => `GET /smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

/** Each framing: a head with the given lines, then a body that is (or hides) the smuggled request. */
function framings(host: string, path: string): Record<string, string> {
  const hidden = SMUGGLED(host);
  const chunkedThenHidden = `0\r\n\r\n${hidden}`;
  const head = (lines: string[]) => `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n${lines.join('\r\n')}\r\n\r\n`;
  const len = chunkedThenHidden.length;
  return {
    'CL.TE': head([`Content-Length: ${len}`, 'Transfer-Encoding: chunked']) + chunkedThenHidden,
    'TE.CL': head(['Transfer-Encoding: chunked', 'Content-Length: 4']) + chunkedThenHidden,
    'TE chunked, identity':
      head(['Transfer-Encoding: chunked, identity', `Content-Length: ${len}`]) + chunkedThenHidden,
    'TE identity, chunked + CL':
      head(['Transfer-Encoding: identity, chunked', 'Content-Length: 3']) + chunkedThenHidden,
    'TE twice': head(['Transfer-Encoding: chunked', 'Transfer-Encoding: identity']) + chunkedThenHidden,
    'TE xchunked': head(['Transfer-Encoding: xchunked', `Content-Length: ${len}`]) + chunkedThenHidden,
    'TE with space before colon':
      head(['Transfer-Encoding : chunked', 'Content-Length: 3']) + chunkedThenHidden,
    'TE folded (obs-fold)': head(['Transfer-Encoding:', ' chunked', 'Content-Length: 3']) + chunkedThenHidden,
    'TE after a bare LF': `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nX-A: 1\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${chunkedThenHidden}`,
    'CL twice, different': head(['Content-Length: 0', `Content-Length: ${hidden.length}`]) + hidden,
    'CL list': head([`Content-Length: 0, ${hidden.length}`]) + hidden,
    'CL signed': head([`Content-Length: +${hidden.length}`]) + hidden,
    'CL hex': head(['Content-Length: 0x10']) + hidden,
    'CR inside a header value': `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nX-A: a\rContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    'LF inside a header value': `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nX-A: a\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    'NUL inside a header value': `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nX-A: a\0b\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    'bare LF line endings': `POST ${path} HTTP/1.1\nHost: ${host}\nContent-Length: ${hidden.length}\n\n${hidden}`,
    'header folded into Host': `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n ${hidden.slice(0, -4)}\r\n\r\n`,
    'oversized head': `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n${hidden}`,
  };
}

const refused: Record<string, string> = {};

describe.each([
  { form: 'host form', host: () => `fa.localhost:${t.proxyPort}`, path: '/' },
  { form: 'path form', host: () => `127.0.0.1:${t.proxyPort}`, path: '/i/fa/' },
])('the proxy port, $form', ({ form, host, path }) => {
  it('refuses every smuggling framing with a 4xx and never delivers the hidden request', async () => {
    const cases = framings(host(), path);
    const statuses: Record<string, string> = {};
    for (const [name, data] of Object.entries(cases)) {
      const read = await raw(data);
      statuses[name] = read.slice(0, 12);
      expect(read, name).toMatch(/^HTTP\/1\.1 4\d\d /);
      // nothing after the refusal: the connection was closed, not read on
      expect(read.match(/HTTP\/1\.1 /g)?.length, name).toBe(1);
    }
    expect(seen()).not.toMatch(/smuggled/);
    // Two Host headers: which instance is meant is ambiguous — 400 (RFC 9112), and the hidden
    // request in the body is never delivered.
    const hidden = SMUGGLED(host());
    const twoHosts = await raw(
      `POST ${path} HTTP/1.1\r\nHost: ${host()}\r\nHost: fb.localhost\r\nContent-Length: ${hidden.length}\r\nConnection: close\r\n\r\n${hidden}`,
    );
    expect(twoHosts).toMatch(/^HTTP\/1\.1 400 /);
    expect(twoHosts.match(/HTTP\/1\.1 /g)?.length).toBe(1);
    expect(seen()).not.toMatch(/smuggled/);
    refused[form] = `${Object.keys(cases).length} framings refused`;
    // and the proxy still serves that instance normally
    expect(await raw(`GET ${path}still HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 200 [\s\S]*ok \/still/,
    );
    expect(seen()).toContain('fa GET /still'); // the record the assertions above read does record
  });

  it('never reads bytes pipelined after an accepted upgrade as requests for another instance', async () => {
    const upgrade =
      `GET ${path}ws HTTP/1.1\r\nHost: ${host()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const read = await raw([
      upgrade + SMUGGLED(`fb.localhost:${t.proxyPort}`),
      SMUGGLED(`127.0.0.1:${t.proxyPort}`),
    ]);
    expect(read).toMatch(/^HTTP\/1\.1 101 /);
    expect(seen()).not.toMatch(/smuggled/);
  });
});

describe('figures', () => {
  it('records what was refused', () => {
    recordFigures('proxy-framing', refused);
    expect(Object.keys(refused)).toHaveLength(2);
  });
});
