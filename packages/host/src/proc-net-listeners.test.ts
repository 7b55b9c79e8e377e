import { describe, expect, it } from 'vitest';
import { decodeHexAddress, parseProcNet, readProcNetListeners } from './proc-net-listeners.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 612 1 0 100 0 0 10 0
   1: 020200C0:E34A 507100CB:0050 06 00000000:00000000 03:000012D4 00000000     0        0 0 3 0
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 613 1 0 100 0 0 10 0
`;

describe('/proc/net listeners', () => {
  it('keeps only listening sockets and decodes little-endian addresses', () => {
    expect(parseProcNet(TCP, 'tcp')).toEqual([
      { port: 2024, protocol: 'tcp', address: '0.0.0.0', pid: null, process: null },
      { port: 8080, protocol: 'tcp', address: '127.0.0.1', pid: null, process: null },
    ]);
  });

  it('decodes IPv6 addresses', () => {
    expect(decodeHexAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeHexAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:7f00:1');
  });

  it('reads the live tables of this machine', async () => {
    const listeners = await readProcNetListeners();
    expect(Array.isArray(listeners)).toBe(true);
    expect(listeners.every((l) => l.port > 0 && l.port < 65536)).toBe(true);
  });
});
