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
