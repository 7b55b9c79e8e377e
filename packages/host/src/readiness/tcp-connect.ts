import { connect, type Socket } from 'node:net';

/**
 * What one TCP connect found: a listener (`open`), a host that answered "nothing here"
 * (`refused`), a connection the peer closed before the hold was over (`closed`), or no answer.
 */
export type ConnectResult = 'open' | 'refused' | 'closed' | 'unreachable';

export interface ConnectOptions {
  /** How long the connect may take (default 1 s). */
  timeoutMs?: number;
  /**
   * How long an accepted connection must stay open (or the peer speak first) to count. A
   * published Docker port is accepted by docker-proxy even when nothing listens in the container,
   * and the proxy then closes at once (measured at ≤ 1.2 ms): only a hold tells the two apart.
   */
  holdMs?: number;
  /** Where the connection comes from; left to the kernel unless given. */
  localAddress?: string;
  localPort?: number;
}

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
 * One connect to host:port, closed when answered. A connection to itself is not an answer: it is
 * reset at once (no TIME-WAIT left on the port) and counts as `refused`, nothing there.
 */
export function tcpConnect(host: string, port: number, opts: ConnectOptions = {}): Promise<ConnectResult> {
  const { timeoutMs = 1_000, holdMs = 0, localAddress, localPort } = opts;
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      ...(localAddress ? { localAddress } : {}),
      ...(localPort ? { localPort } : {}),
    });
    let timer: NodeJS.Timeout;
    let connected = false;
    const done = (result: ConnectResult, reset = false) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
      resolve(result);
    };
    timer = setTimeout(() => done('unreachable'), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      if (isSelfConnected(socket)) return done('refused', true);
      if (holdMs <= 0) return done('open');
      clearTimeout(timer);
      timer = setTimeout(() => done('open'), holdMs);
      socket.once('data', () => done('open'));
      socket.once('end', () => done('closed'));
      socket.once('close', () => done('closed'));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (connected) return done('closed');
      done(err.code === 'ECONNREFUSED' ? 'refused' : 'unreachable');
    });
  });
}

/** Whether something accepts a TCP connection on host:port right now. */
export async function canConnect(port: number, host = 'localhost', timeoutMs = 1_000): Promise<boolean> {
  return (await tcpConnect(host, port, { timeoutMs })) === 'open';
}
