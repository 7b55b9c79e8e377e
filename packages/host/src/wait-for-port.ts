import { connect, type Socket } from 'node:net';
import { pollUntil, type WaitOptions } from './poll-until.js';

/**
 * A TCP connection to itself: when nothing is bound to a port in the ephemeral range, the kernel
 * may give the connecting socket that same port as its own, and the SYN meets itself
 * ("simultaneous open"). The connect succeeds though nothing listens — and the socket then holds
 * the very port the program is about to bind.
 */
export function isSelfConnected(socket: Socket): boolean {
  return socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}

/**
 * Whether something accepts a TCP connection on host:port right now. A connection to itself is
 * not an answer: it is reset at once (no TIME-WAIT left on the port) and counts as nothing there.
 */
export function canConnect(port: number, host: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => {
      if (!isSelfConnected(socket)) return finish(true);
      socket.resetAndDestroy();
      resolve(false);
    });
    socket.once('error', () => finish(false));
  });
}

/**
 * Waits until the port accepts connections. Without `host`, tries 127.0.0.1 then ::1, so a
 * server bound to either loopback (or to all interfaces) counts.
 */
export async function waitForPort(port: number, opts: WaitOptions & { host?: string }): Promise<void> {
  const hosts = opts.host ? [opts.host] : ['127.0.0.1', '::1'];
  await pollUntil(
    `port ${port} accepting connections`,
    async () => {
      for (const host of hosts) if (await canConnect(port, host)) return true;
      return false;
    },
    opts,
  );
}
