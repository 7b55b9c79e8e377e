import { connect } from 'node:net';
import { pollUntil, type WaitOptions } from './poll-until.js';

/** Whether something accepts a TCP connection on host:port right now. */
export function canConnect(port: number, host: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
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
