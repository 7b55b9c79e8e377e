import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuDiskUsage } from './du-disk-usage.js';
import { NetHealthProbe } from './net-health-probe.js';
import { ProcHostStats, parseCpuLine, parseMeminfo } from './proc-host-stats.js';

describe('NetHealthProbe', () => {
  let status = 200;
  const server = createServer((_q, s) => {
    s.statusCode = status;
    s.end();
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());
  const probe = new NetHealthProbe();

  it('passes a 2xx and fails a 5xx or an unexpected status, saying which', async () => {
    expect(await probe.check({ kind: 'http', host: '127.0.0.1', port, path: '/' }, 10_000)).toEqual({
      ok: true,
      message: 'HTTP 200',
    });
    status = 503;
    expect(await probe.check({ kind: 'http', host: '127.0.0.1', port, path: '/' }, 10_000)).toEqual({
      ok: false,
      message: 'HTTP 503',
    });
    expect(
      await probe.check({ kind: 'http', host: '127.0.0.1', port, path: '/', expectStatus: 503 }, 10_000),
    ).toMatchObject({ ok: true });
  });

  it('tells refused connections and failing commands apart', async () => {
    const closed = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    expect(await probe.check({ kind: 'http', host: '127.0.0.1', port: closed, path: '/' }, 10_000)).toEqual({
      ok: false,
      message: 'connection refused',
    });
    expect(await probe.check({ kind: 'tcp', host: '127.0.0.1', port }, 10_000)).toMatchObject({ ok: true });
    expect(
      await probe.check({ kind: 'command', argv: ['sh', '-c', 'exit 3'], cwd: '/', env: {} }, 10_000),
    ).toEqual({
      ok: false,
      message: 'command exited with code 3',
    });
    expect(await probe.check({ kind: 'command', argv: ['true'], cwd: '/', env: {} }, 10_000)).toMatchObject({
      ok: true,
    });
  });
});

describe('host stats and disk use', () => {
  it('parses /proc/stat and /proc/meminfo', () => {
    expect(parseCpuLine('cpu  10 0 10 70 10 0 0 0 0 0\ncpu0 1')).toEqual({ busy: 20, total: 100 });
    expect(parseMeminfo('MemTotal:       1000 kB\nMemFree: 1 kB\nMemAvailable:    250 kB\n')).toEqual({
      total: 1024000,
      available: 256000,
    });
  });

  it('samples this machine with the real total memory', async () => {
    const stats = new ProcHostStats();
    await stats.sample();
    const s = await stats.sample();
    expect(s.memoryTotalBytes).toBeGreaterThan(0);
    expect(s.memoryPercent).toBeGreaterThan(0);
    expect(s.memoryPercent).toBeLessThan(100);
    expect(s.cpuCount).toBeGreaterThan(0);
  });

  it('adds up the bytes a directory uses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-du-'));
    await writeFile(join(dir, 'a'), Buffer.alloc(100_000, 1));
    const bytes = await new DuDiskUsage().bytes(dir);
    expect(bytes).toBeGreaterThanOrEqual(100_000);
    expect(await new DuDiskUsage().bytes(join(dir, 'missing'))).toBeNull();
    await rm(dir, { recursive: true });
  });
});
