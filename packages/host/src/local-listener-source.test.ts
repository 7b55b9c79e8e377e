import { createServer, type Server } from 'node:net';
import type { Listener, ListenerProbe } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeListener, LocalListenerSource } from './local-listener-source.js';
import { SsListenerProbe } from './ss-listener-probe.js';

/** The real probe, counting how often it is asked. */
class CountingProbe implements ListenerProbe {
  calls = 0;
  private readonly inner = new SsListenerProbe();
  listeners(): Promise<Listener[]> {
    this.calls++;
    return this.inner.listeners();
  }
}

describe('LocalListenerSource', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reports a port this test listens on, owned by this process', async () => {
    const taken = await new LocalListenerSource().taken('local');
    const mine = taken.find((t) => t.port === port && t.protocol === 'tcp');
    expect(mine?.pid).toBe(process.pid);
    expect(mine?.usedBy).toMatch(new RegExp(`^process .+ \\(pid ${process.pid}\\)$`));
  });

  it('asks the kernel once for 100 parallel callers, and again after the cache expires', async () => {
    const probe = new CountingProbe();
    const source = new LocalListenerSource(probe, { ttlMs: 250 });
    const all = await Promise.all(Array.from({ length: 100 }, () => source.taken('local')));
    expect(probe.calls).toBe(1);
    expect(new Set(all).size).toBe(1);
    await source.taken('local');
    expect(probe.calls).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    await source.taken('local');
    expect(probe.calls).toBe(2);
  });

  it('covers only the local host', async () => {
    const probe = new CountingProbe();
    expect(await new LocalListenerSource(probe).taken('host-b')).toEqual([]);
    expect(probe.calls).toBe(0);
  });

  it('describes owners that are not visible', () => {
    expect(describeListener({ port: 22, protocol: 'tcp', address: '*', pid: null, process: null })).toBe(
      'a process on port 22 (owner not visible)',
    );
  });

  it('falls back to /proc/net when ss is missing', async () => {
    const listeners = await new SsListenerProbe(undefined, 'ss-not-installed-berth').listeners();
    expect(listeners.some((l) => l.port === port)).toBe(true);
  });
});
