import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { TokenCheck } from './credentials.js';
import type { InstanceTargets } from './instance-targets.js';
import type { ProxyMeter } from './proxy-meter.js';
import { SplicedConnection, type SpliceOptions } from './spliced-connection.js';

export interface ConnectionRouterOptions {
  /** Longest request head forwarded as it is (Node's default header limit); longer → `fallback`. */
  maxHeadBytes?: number;
  /** Time a client has to send a complete request head (slowloris); then 408 and close. */
  headTimeoutMs?: number;
  /** Recognises berth's tokens, stripped from requests to instances. */
  isToken?: TokenCheck;
  /** Counts the requests and bytes forwarded to each instance. */
  meter?: ProxyMeter;
  /** Gives a fresh connection (paused, nothing read) to another process; false: serve it here. */
  dispatch?: (socket: Socket) => boolean;
}

const CLOSE_WAIT_MS = 3000;

/**
 * The proxy port's listener: a plain TCP server that routes each connection on its first
 * request's `Host: <instance>.localhost` or `/i/<instance>/` path and splices it to the instance (see
 * {@link SplicedConnection}), so the common case costs no HTTP parsing or per-request upstream
 * request. Every connection or request it does not forward itself goes to `fallback`, the
 * per-request HTTP proxy, which never listens on its own.
 */
export class ConnectionRouter {
  readonly server: Server;
  private readonly open = new Set<SplicedConnection>();
  private readonly spliceOpts: SpliceOptions;

  constructor(
    targets: Pick<InstanceTargets, 'find'>,
    fallback: HttpServer,
    opts: ConnectionRouterOptions = {},
  ) {
    const spliceOpts: SpliceOptions = {
      targets,
      handOff: (socket: Socket) => {
        fallback.emit('connection', socket);
        socket.resume();
      },
      done: (s: SplicedConnection) => this.open.delete(s),
      maxHeadBytes: opts.maxHeadBytes ?? 16 * 1024,
      headTimeoutMs: opts.headTimeoutMs ?? 30_000,
      ...(opts.isToken ? { isToken: opts.isToken } : {}),
      ...(opts.meter ? { meter: opts.meter } : {}),
    };
    this.spliceOpts = spliceOpts;
    // Accepted paused: a connection handed to a proxy worker has had nothing read from it.
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => {
      if (opts.dispatch?.(socket)) return;
      this.adopt(socket);
      socket.resume();
    });
    // Connections reach `fallback` by 'connection' events only; 'listening' starts its checks of
    // headers and request timeouts for them, as if it listened itself.
    fallback.emit('listening');
  }

  /** Routes a connection as if it had been accepted here (one a proxy worker relays). */
  adopt(socket: Socket): void {
    this.open.add(new SplicedConnection(socket, this.spliceOpts));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening and closes every spliced connection (handed-off ones belong to `fallback`). */
  close(): Promise<void> {
    for (const s of this.open) s.destroy();
    this.open.clear();
    // Node's server waits for connections it handed to other processes until they say they are
    // closed, and forever when those processes ended before it was closed: not past a few seconds.
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS).unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
