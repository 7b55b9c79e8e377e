import { describe, expect, it } from 'vitest';
import { parseSsOutput, parseUsers, splitAddress } from './ss-output.js';

const SAMPLE = `tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=812,fd=6),("nginx",pid=813,fd=6))
tcp   LISTEN 0      4096       127.0.0.53%lo:53        0.0.0.0:*
tcp   LISTEN 0      511             [::]:8080          [::]:*    users:(("node",pid=4410,fd=19))
tcp   LISTEN 0      511                *:45123            *:*    users:(("my app",pid=7,fd=3))
udp   UNCONN 0      0            0.0.0.0:5353      0.0.0.0:*    users:(("avahi-daemon",pid=600,fd=12))
`;

describe('parseSsOutput', () => {
  it('reads port, protocol, address, pid and process name', () => {
    expect(parseSsOutput(SAMPLE)).toEqual([
      { port: 80, protocol: 'tcp', address: '0.0.0.0', pid: 812, process: 'nginx' },
      { port: 53, protocol: 'tcp', address: '127.0.0.53', pid: null, process: null },
      { port: 8080, protocol: 'tcp', address: '::', pid: 4410, process: 'node' },
      { port: 45123, protocol: 'tcp', address: '*', pid: 7, process: 'my app' },
      { port: 5353, protocol: 'udp', address: '0.0.0.0', pid: 600, process: 'avahi-daemon' },
    ]);
  });

  it('ignores blank and foreign lines', () => {
    expect(parseSsOutput('\nraw UNCONN 0 0 *:1 *:*\n')).toEqual([]);
  });

  it('splits IPv6 and zone addresses', () => {
    expect(splitAddress('[::ffff:127.0.0.1]:443')).toEqual({ address: '::ffff:127.0.0.1', port: 443 });
    expect(splitAddress('[fe80::1%eth0]:22')).toEqual({ address: 'fe80::1', port: 22 });
    expect(splitAddress('nonsense')).toBeUndefined();
  });

  it('has no owner when users is missing', () => {
    expect(parseUsers(undefined)).toEqual({ pid: null, process: null });
  });
});
