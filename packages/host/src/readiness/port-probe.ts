import { notYet, type Probe, READY } from './probe.js';
import { type ConnectOptions, tcpConnect } from './tcp-connect.js';

export interface PortProbeOptions extends Omit<ConnectOptions, 'timeoutMs'> {
  port: number;
  /** Tried in order, the first that accepts counts; 127.0.0.1 then ::1 by default, so a server bound to either loopback (or to all interfaces) counts. */
  hosts?: string[];
  /** How long each connect may take (default 1 s). */
  connectTimeoutMs?: number;
}

/** Ready when the port accepts a TCP connection (kept open for `holdMs` when given). */
export function portProbe(opts: PortProbeOptions): Probe {
  const { port, hosts = ['127.0.0.1', '::1'], connectTimeoutMs, ...connect } = opts;
  const reason = `port ${port} on ${hosts.join(' or ')} never accepted a connection`;
  return {
    async check() {
      for (const host of hosts) {
        const found = await tcpConnect(host, port, {
          ...connect,
          ...(connectTimeoutMs ? { timeoutMs: connectTimeoutMs } : {}),
        });
        if (found === 'open') return READY;
      }
      return notYet(reason);
    },
  };
}
