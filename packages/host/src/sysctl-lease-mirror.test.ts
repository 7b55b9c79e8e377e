import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotAllowed, silentLogger } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPorts, parsePorts, SysctlLeaseMirror } from './sysctl-lease-mirror.js';

// The real sysctl is exercised by test/kernel-reserved-ports.test.ts; here a plain file stands in
// for it, so the bookkeeping (two protocols on one port, the operator's entries) is seen alone.
describe('SysctlLeaseMirror', () => {
  let dir: string;
  let file: string;
  const open = (uid = 0) =>
    SysctlLeaseMirror.open({
      host: 'local',
      stateFile: join(dir, 'state.json'),
      log: silentLogger,
      file,
      uid,
    });
  const list = () => [...parsePorts(readFileSync(file, 'utf8'))];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-sysctl-'));
    file = join(dir, 'ip_local_reserved_ports');
    writeFileSync(file, '8080,9000-9002\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and writes the kernel’s format', () => {
    expect([...parsePorts('8080,9000-9002\n')]).toEqual([8080, 9000, 9001, 9002]);
    expect([...parsePorts('\n')]).toEqual([]);
    expect(formatPorts([9002, 8080, 9000, 9001, 20000])).toBe('8080,9000-9002,20000\n');
    expect(formatPorts([])).toBe('\n');
  });

  it('refuses anyone but root, and a list it cannot write, saying why', () => {
    expect(() => open(1000)).toThrow(NotAllowed);
    expect(() => open(1000)).toThrow(/needs root: berth runs as uid 1000/);
    file = '/proc/sys/kernel/osrelease';
    expect(() => open(0)).toThrow(/needs \/proc\/sys\/kernel\/osrelease writable/);
  });

  it('keeps a port while either protocol leases it and never removes the operator’s entries', () => {
    const mirror = open();
    mirror.reconcile([{ protocol: 'tcp', port: 20001 }]);
    expect(list()).toEqual([8080, 9000, 9001, 9002, 20001]);
    mirror.changed({
      leased: [
        { protocol: 'udp', port: 20001 },
        { protocol: 'tcp', port: 9001 },
      ],
      released: [],
    });
    mirror.changed({
      leased: [],
      released: [
        { protocol: 'tcp', port: 20001 },
        { protocol: 'tcp', port: 9001 },
      ],
    });
    expect(list()).toEqual([8080, 9000, 9001, 9002, 20001]);
    mirror.changed({ leased: [], released: [{ protocol: 'udp', port: 20001 }] });
    expect(list()).toEqual([8080, 9000, 9001, 9002]);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ added: [] });
  });

  it('at start, takes out what it added for leases released while it was away', () => {
    writeFileSync(file, '8080,20001,20002\n');
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ added: [20001, 20002, 30000] }));
    open().reconcile([{ protocol: 'tcp', port: 20002 }]);
    expect(list()).toEqual([8080, 20002]);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ added: [20002] });
  });
});
