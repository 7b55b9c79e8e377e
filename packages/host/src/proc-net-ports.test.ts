import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionPorts, LocalSocketSource } from './local-socket-source.js';
import { ProcNetPortReader } from './proc-net-ports.js';
import { isListening, ProcNetSocketTable, readProcNetSockets } from './proc-net-sockets.js';

// The same tables as proc-net-sockets.test.ts (listeners 28211–28215, TIME-WAIT 28216, ESTAB 28217).
const FIXTURES = fileURLToPath(new URL('./fixtures/proc-net', import.meta.url));

const sortedUnique = (ports: number[]) => [...new Set(ports)].sort((a, b) => a - b);

describe('ProcNetPortReader: the ledger reading of /proc/net', () => {
  it('finds the ports the full parse finds: listeners by protocol, connections with their state', () => {
    const sockets = readProcNetSockets(FIXTURES);
    const listening = (p: string) =>
      sortedUnique(sockets.filter((s) => s.protocol === p && isListening(s)).map((s) => s.port));
    const ports = new ProcNetPortReader(FIXTURES).read();
    expect(ports.tcpListening).toEqual(listening('tcp'));
    expect(ports.udpListening).toEqual(listening('udp'));
    expect(ports.tcpListening).toEqual([28211, 28212, 28215]);
    const full = connectionPorts(sockets).sort((a, b) => a.port - b.port);
    expect(ports.tcpConnections.map((c) => c.port)).toEqual(full.map((t) => t.port));
    expect(ports.tcpConnections.find((c) => c.port === 28216)?.state).toBe(0x06);
  });

  it('reads a table larger than its buffer, skips rows of another shape, and needs only the tcp table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-procnet-ports-'));
    try {
      const head = (await readFile(join(FIXTURES, 'tcp'), 'latin1')).split('\n')[0];
      const rows = Array.from({ length: 5000 }, (_, i) => {
        const port = (3000 + i).toString(16).toUpperCase().padStart(4, '0');
        return `${String(i).padStart(4)}: 0100007F:${port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`;
      });
      await writeFile(join(dir, 'tcp'), [head, ...rows, '  garbage: without the shape', ''].join('\n'));
      const ports = new ProcNetPortReader(dir).read();
      expect(ports.tcpListening).toHaveLength(5000);
      expect([ports.tcpListening[0], ports.tcpListening.at(-1)]).toEqual([3000, 7999]);
      expect([ports.udpListening, ports.tcpConnections]).toEqual([[], []]);
      await rm(join(dir, 'tcp'));
      expect(() => new ProcNetPortReader(dir).read()).toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sees a listener and a connection this test opens, and overlapping callers share one reading', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const table = new ProcNetSocketTable();
      const [a, b] = await Promise.all([table.ports(), table.ports()]);
      expect(a).toBe(b);
      expect(a.tcpListening).toContain(port);
      expect(await table.ports()).not.toBe(a);
      const source = new LocalSocketSource(new Set(['local']), table);
      expect((await source.taken('local')).every((t) => t.kind === 'connection' && t.port !== port)).toBe(
        true,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
