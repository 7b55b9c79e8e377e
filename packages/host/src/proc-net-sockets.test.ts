import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decodeHexAddress,
  isListening,
  ProcNetSocketTable,
  readProcNetListeners,
  readProcNetSockets,
  stateName,
} from './proc-net-sockets.js';

// Copied from this machine's /proc/net while a test program listened on five ports, with a client
// closed (TIME-WAIT) and one open (ESTAB); the ports are renumbered in the files, below the kernel's
// ephemeral range (nothing binds them, but no test names a port the kernel hands out): 28211 (tcp
// 127.0.0.1), 28212 (tcp6 ::), 28213 (udp 127.0.0.1), 28214 (udp6 ::1), 28215 (tcp 127.0.0.1), a
// client from 28216 to 28215 (TIME-WAIT) and one from [::1]:28217 to 28212 (ESTAB).
const FIXTURES = fileURLToPath(new URL('./fixtures/proc-net', import.meta.url));

describe('/proc/net socket tables', () => {
  it('reads every socket of the four tables, with state, port and inode', async () => {
    const sockets = readProcNetSockets(FIXTURES);
    const row = (protocol: string, port: number) =>
      sockets.filter((s) => s.protocol === protocol && s.port === port).map((s) => stateName(s.state));
    expect(row('tcp', 28211)).toEqual(['LISTEN']);
    expect(row('tcp', 28215)).toEqual(['LISTEN']);
    expect(row('tcp', 28216)).toEqual(['TIME-WAIT']);
    expect(row('tcp', 28212)).toEqual(['LISTEN', 'ESTAB']);
    expect(row('tcp', 28217)).toEqual(['ESTAB']);
    expect(row('udp', 28213)).toEqual(['UNCONN']);
    expect(row('udp', 28214)).toEqual(['UNCONN']);
    expect(sockets.find((s) => s.port === 28211)?.inode).toBeGreaterThan(0);
    expect(sockets.find((s) => s.port === 28216)?.inode).toBe(0);
  });

  it('keeps listeners only (TCP LISTEN, unconnected UDP) and decodes their addresses', async () => {
    const listeners = readProcNetListeners(FIXTURES);
    expect(listeners.map((l) => [l.protocol, l.port, l.address])).toEqual([
      ['tcp', 28215, '127.0.0.1'],
      ['tcp', 28211, '127.0.0.1'],
      ['tcp', 28212, '::'],
      ['udp', 28213, '127.0.0.1'],
      ['udp', 28214, '::1'],
    ]);
    expect(listeners.every((l) => l.pid === null && l.process === null)).toBe(true);
  });

  it('decodes little-endian IPv4 and IPv6 addresses', () => {
    expect(decodeHexAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeHexAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeHexAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeHexAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:7f00:1');
  });

  it('treats a missing IPv6 or UDP table as empty, but a missing tcp table as an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-procnet-'));
    try {
      expect(() => readProcNetSockets(dir)).toThrow(/ENOENT/);
      await writeFile(
        join(dir, 'tcp'),
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
          '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n',
      );
      expect(readProcNetSockets(dir)).toEqual([
        { protocol: 'tcp', state: 0x0a, addressHex: '00000000', port: 8080, inode: 4242 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sees a listener this test opens in the live tables, and shares one read among overlapping callers', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const table = new ProcNetSocketTable();
      const [a, b] = await Promise.all([table.read(), table.read()]);
      expect(a).toBe(b);
      expect(a.some((s) => s.port === port && s.protocol === 'tcp' && isListening(s) && s.inode > 0)).toBe(
        true,
      );
      expect(await table.read()).not.toBe(a);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
