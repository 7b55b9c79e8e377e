import { createServer, type Server } from 'node:net';
import type { Listener, Protocol } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeListener, LocalListenerSource, type OwnerNamingProbe } from './local-listener-source.js';
import { ProcNetListenerProbe } from './proc-net-listener-probe.js';

/** The real probe, counting how often it is asked. */
class CountingProbe implements OwnerNamingProbe {
  calls = 0;
  ownerCalls = 0;
  private readonly inner = new ProcNetListenerProbe();
  listeners(): Promise<Listener[]> {
    this.calls++;
    return this.inner.listeners();
  }
  owners(ports: { protocol: Protocol; port: number }[]): Promise<Listener[]> {
    this.ownerCalls++;
    return this.inner.owners(ports);
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

  it('reports a port this test listens on, and names this process as its owner on request', async () => {
    const probe = new CountingProbe();
    const source = new LocalListenerSource(probe);
    const taken = await source.taken('local');
    expect(probe.ownerCalls).toBe(0);
    const mine = taken.find((t) => t.port === port && t.protocol === 'tcp')!;
    expect(mine.kind).toBe('process');
    const [named] = await source.owners('local', [mine]);
    expect(probe.ownerCalls).toBe(1);
    expect(named?.pid).toBe(process.pid);
    expect(named?.usedBy).toMatch(new RegExp(`^process .+ \\(pid ${process.pid}\\)$`));
    // Already named: nothing more to look up.
    expect(await source.owners('local', [named!])).toEqual([named]);
    expect(probe.ownerCalls).toBe(1);
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
});
