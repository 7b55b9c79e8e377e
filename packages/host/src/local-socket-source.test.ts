import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LocalSocketSource, parseConnections } from './local-socket-source.js';

describe('LocalSocketSource', () => {
  it('parses every state but LISTEN, once per port', () => {
    const out = [
      'LISTEN     0 511 127.0.0.1:48100 0.0.0.0:*',
      'TIME-WAIT  0 0   127.0.0.1:54048 127.0.0.1:59901',
      'ESTAB      0 0   [::ffff:127.0.0.1]:54049 [::ffff:127.0.0.1]:80',
      'TIME-WAIT  0 0   127.0.0.1:54048 127.0.0.1:59902',
    ].join('\n');
    expect(parseConnections(out).map((t) => t.port)).toEqual([54048, 54049]);
    expect(parseConnections(out)[0]?.usedBy).toContain('TIME-WAIT');
  });

  it("reports a client's port left in TIME-WAIT, which no listener can bind", async () => {
    const server = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const local = client.localPort!;
    client.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const taken = await new LocalSocketSource().taken('local');
    expect(taken.some((t) => t.port === local)).toBe(true);
    expect(await new LocalSocketSource().taken('host-b')).toEqual([]);
    await new Promise((r) => server.close(r));
  });
});
