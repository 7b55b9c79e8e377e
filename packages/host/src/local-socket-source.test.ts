import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionPorts, LocalSocketSource } from './local-socket-source.js';
import { ProcNetSocketTable, readProcNetSockets } from './proc-net-sockets.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/proc-net', import.meta.url));

describe('LocalSocketSource', () => {
  it('takes every TCP state but LISTEN, once per port, and no UDP socket', async () => {
    const taken = connectionPorts(readProcNetSockets(FIXTURES));
    expect(taken.map((t) => t.port).sort()).toEqual([28212, 28216, 28217, 29901]);
    expect(taken.every((t) => t.kind === 'connection' && t.protocol === 'tcp')).toBe(true);
    expect(taken.find((t) => t.port === 28216)?.usedBy).toBe(
      "a TCP connection's local end (TIME-WAIT, port 28216)",
    );
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
    expect(await new LocalSocketSource(new Set(['local']), new ProcNetSocketTable()).taken('host-b')).toEqual(
      [],
    );
    await new Promise((r) => server.close(r));
  });
});
