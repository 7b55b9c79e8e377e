import { connect } from 'node:net';

/**
 * True when a TCP connection to host:port is accepted AND stays open for `holdMs` (or the peer
 * speaks first). A published Docker port is accepted by docker-proxy even when nothing listens in
 * the container; the proxy then closes at once — so "connected" alone would lie. "At once" was
 * measured at ≤ 1.2 ms here; 30 ms leaves a wide margin and no longer adds a quarter second to
 * every container start (the benchmark's container start was 1.8× the raw Engine API with 250).
 */
export function tcpProbe(
  host: string,
  port: number,
  holdMs = 30,
  connectTimeoutMs = 1_000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    let timer = setTimeout(() => done(false), connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(true), holdMs);
    });
    socket.once('data', () => done(true));
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** What one TCP connect found: a listener, a host that answered "nothing here", or no answer. */
export type ConnectResult = 'open' | 'refused' | 'unreachable';

/**
 * One connect to host:port, closed at once. For an address with no proxy in front (a container's
 * own IP), an accepted connection is a listener; a refusal proves the address is reachable.
 */
export function tcpConnect(host: string, port: number, timeoutMs = 1_000): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (r: ConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unreachable'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' ? 'refused' : 'unreachable'),
    );
  });
}
