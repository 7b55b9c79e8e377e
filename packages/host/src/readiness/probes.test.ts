import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpProbe } from './http-probe.js';
import { logLineProbe } from './log-line-probe.js';
import { portProbe } from './port-probe.js';
import { allOf, anyOf, notYet, type Probe, READY } from './probe.js';
import { tcpConnect } from './tcp-connect.js';
import { WaitTimedOut, waitUntilReady } from './wait-until-ready.js';

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

const close = (s: { close(cb: () => void): void }) => new Promise<void>((r) => s.close(() => r()));

/** A port probe that connects from the port it probes: what the kernel does by chance, made certain. */
const fromItself = (port: number, holdMs?: number) =>
  portProbe({
    port,
    hosts: ['127.0.0.1'],
    localAddress: '127.0.0.1',
    localPort: port,
    ...(holdMs ? { holdMs } : {}),
  });

describe('port probe', () => {
  it('is ready while something listens, and says which port it waited for when nothing does', async () => {
    const server = createServer();
    const port = await listen(server);
    expect(await portProbe({ port }).check()).toEqual(READY);
    await close(server);
    expect(await portProbe({ port, hosts: ['127.0.0.1'] }).check()).toEqual(
      notYet(`port ${port} on 127.0.0.1 never accepted a connection`),
    );
  });

  it('finds a server bound to ::1 alone, looking there on every 4th look; the first host on every look', async () => {
    const v6 = createServer();
    const ok = await new Promise<boolean>((r) => {
      v6.once('error', () => r(false));
      v6.listen(0, '::1', () => r(true));
    });
    expect(ok, 'this machine has IPv6 loopback').toBe(true);
    const port = (v6.address() as { port: number }).port;
    const probe = portProbe({ port });
    const looks = [];
    for (let i = 0; i < 5; i++) looks.push((await probe.check()).ok);
    expect(looks).toEqual([true, false, false, false, true]);
    await close(v6);
    const v4 = createServer();
    const p4 = await listen(v4);
    const probe4 = portProbe({ port: p4 });
    for (let i = 0; i < 3; i++) expect((await probe4.check()).ok).toBe(true);
    await close(v4);
  });

  it('with a hold, does not count a listener that closes every connection at once (docker-proxy with nothing behind it)', async () => {
    const server = createServer((c) => c.destroy());
    const port = await listen(server);
    expect((await portProbe({ port, hosts: ['127.0.0.1'] }).check()).ok).toBe(true);
    expect((await portProbe({ port, hosts: ['127.0.0.1'], holdMs: 30 }).check()).ok).toBe(false);
    await close(server);
  });

  it('with a hold, counts a connection kept open for the hold, or one where the peer speaks first', async () => {
    const quiet = createServer(() => {});
    const talker = createServer((c) => c.write('hello'));
    const [a, b] = [await listen(quiet), await listen(talker)];
    const started = Date.now();
    expect((await portProbe({ port: a, hosts: ['127.0.0.1'], holdMs: 50 }).check()).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect((await portProbe({ port: b, hosts: ['127.0.0.1'], holdMs: 5_000 }).check()).ok).toBe(true);
    quiet.close();
    talker.close();
  });
});

describe('the self-connect guard', () => {
  it('counts a connection to itself as nothing there, with or without a hold (how published container ports are probed)', async () => {
    const port = await freePort();
    expect(await tcpConnect('127.0.0.1', port, { localAddress: '127.0.0.1', localPort: port })).toBe(
      'refused',
    );
    expect((await fromItself(port).check()).ok).toBe(false);
    expect((await fromItself(port, 30).check()).ok).toBe(false);
  });

  it('leaves the port free for the program about to bind it', async () => {
    const port = await freePort();
    await fromItself(port, 30).check();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await close(server);
  });

  it('guards HTTP probes too: nothing is fetched from a port nobody holds', async () => {
    const port = await freePort();
    const result = await httpProbe({ url: `http://127.0.0.1:${port}/` }).check();
    expect(result).toEqual(
      notYet(`GET http://127.0.0.1:${port}/ failed: nothing accepts connections on port ${port}`),
    );
  });
});

describe('HTTP probe', () => {
  it('counts any status below 500 by default, below okBelow when given, or exactly the expected one', async () => {
    let status = 503;
    const server = createHttpServer((_, res) => {
      res.statusCode = status;
      res.setHeader('location', '/elsewhere');
      res.end();
    });
    const url = `http://127.0.0.1:${await listen(server)}/health`;
    expect(await httpProbe({ url }).check()).toEqual(notYet(`GET ${url} answered 503`));
    status = 404;
    expect((await httpProbe({ url }).check()).ok).toBe(true);
    expect(await httpProbe({ url, okBelow: 400 }).check()).toEqual(notYet(`GET ${url} answered 404`));
    status = 302; // an answer, not followed
    expect((await httpProbe({ url, okBelow: 400 }).check()).ok).toBe(true);
    expect((await httpProbe({ url, expectStatus: 200 }).check()).ok).toBe(false);
    status = 200;
    expect((await httpProbe({ url, expectStatus: 200 }).check()).ok).toBe(true);
    await close(server);
  });

  it('gives up on a request with no answer in time, and leaves no connection open on the port', async () => {
    const holder = createServer((c) => c.resume()); // reads, never answers: a program that took the port
    const url = `http://127.0.0.1:${await listen(holder)}/`;
    const result = await httpProbe({ url, requestTimeoutMs: 50 }).check();
    expect(result).toEqual(notYet(`GET ${url} failed: no answer within 50 ms`));
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await expect(
      waitUntilReady(httpProbe({ url }), { what: 'x', timeoutMs: 5_000, signal: ac.signal }),
    ).rejects.toThrow('stop');
    await new Promise((r) => setTimeout(r, 50));
    const open = await new Promise<number>((r) => holder.getConnections((_, n) => r(n)));
    expect(open).toBe(0);
    await close(holder);
  });
});

/** Lines pushed by the test, as a workload would write them. */
function lines() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let following: AbortSignal | undefined;
  return {
    push(line: string) {
      queue.push(line);
      wake?.();
    },
    get following() {
      return following;
    },
    async *source(signal: AbortSignal) {
      following = signal;
      while (!signal.aborted) {
        const line = queue.shift();
        if (line !== undefined) yield { line };
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

describe('log-line probe', () => {
  it('is ready once a line matches, and wakes the wait at once rather than at its next look', async () => {
    const log = lines();
    const probe = logLineProbe((s) => log.source(s), 'ready on \\d+');
    expect(await probe.check()).toEqual(notYet('no log line matched /ready on \\d+/'));
    let pushedAt = 0;
    setTimeout(() => {
      log.push('starting');
      log.push('ready on 8080');
      pushedAt = Date.now();
    }, 30);
    await waitUntilReady(probe, { what: 'ready line', timeoutMs: 5_000, pace: () => 2_000 });
    expect(Date.now() - pushedAt).toBeLessThan(500);
    expect(probe.matched).toEqual({ line: 'ready on 8080' });
    expect(log.following?.aborted).toBe(true); // closed when the wait returned
  });

  it('takes text that is not a valid regular expression literally', async () => {
    const log = lines();
    const probe = logLineProbe((s) => log.source(s), 'listening (port');
    log.push('listening (port 80)');
    await waitUntilReady(probe, { what: 'line', timeoutMs: 1_000 });
  });

  it('fails the wait when its source fails', async () => {
    const probe = logLineProbe(async function* () {
      yield* [];
      throw new Error('log directory is gone');
    }, 'x');
    await expect(waitUntilReady(probe, { what: 'line', timeoutMs: 2_000 })).rejects.toThrow(
      'log directory is gone',
    );
  });
});

const never = (reason = 'still starting'): Probe => ({ check: async () => notYet(reason) });

describe('waitUntilReady', () => {
  it('times out naming what it waited for, with the last reason', async () => {
    const started = Date.now();
    const err = await waitUntilReady(never(), { what: 'port 1 accepting connections', timeoutMs: 120 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(WaitTimedOut);
    expect(err.message).toBe('port 1 accepting connections did not happen within 120 ms');
    expect(err.reason).toBe('still starting');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops at once with the reason it was aborted for, and closes its probe', async () => {
    const ac = new AbortController();
    let closed = false;
    setTimeout(() => ac.abort(new Error('cancelled')), 30);
    const started = Date.now();
    const probe = { ...never(), close: () => (closed = true) };
    await expect(
      waitUntilReady(probe, { what: 'x', timeoutMs: 5_000, signal: ac.signal, pace: () => 1_000 }),
    ).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(500);
    expect(closed).toBe(true);
  });

  it('passes on what a probe throws: a workload that never will be ready', async () => {
    const gone: Probe = { check: async () => Promise.reject(new Error('exited with code 3')) };
    await expect(waitUntilReady(allOf(gone, never()), { what: 'x', timeoutMs: 1_000 })).rejects.toThrow(
      'exited with code 3',
    );
  });

  it('composes: allOf needs every probe, in order; anyOf one', async () => {
    const seen: string[] = [];
    const look = (name: string, ok: boolean): Probe => ({
      check: async () => {
        seen.push(name);
        return ok ? READY : notYet(`${name} not yet`);
      },
    });
    expect(await allOf(look('a', true), look('b', false), look('c', true)).check()).toEqual(
      notYet('b not yet'),
    );
    expect(seen).toEqual(['a', 'b']);
    expect(await anyOf(look('d', false), look('e', true)).check()).toEqual(READY);
    expect(await anyOf(look('f', false), look('g', false)).check()).toEqual(notYet('g not yet'));
  });

  it('paces its looks as told', async () => {
    let looks = 0;
    const counting: Probe = {
      check: async () => {
        looks++;
        return notYet('no');
      },
    };
    await waitUntilReady(counting, { what: 'x', timeoutMs: 200, pace: () => 50 }).catch(() => {});
    expect(looks).toBeGreaterThanOrEqual(3);
    expect(looks).toBeLessThanOrEqual(6);
  });
});
