import { notYet, type Probe, READY } from './probe.js';
import { type ConnectOptions, tcpConnect } from './tcp-connect.js';

export interface PortProbeOptions extends Omit<ConnectOptions, 'timeoutMs'> {
  port: number;
  /**
   * Tried in order, the first that accepts counts; 127.0.0.1 then ::1 by default, so a server bound
   * to either loopback (or to all interfaces) counts. Hosts after the first are tried on every
   * `laterHostsEvery`-th look only.
   */
  hosts?: string[];
  /** How long each connect may take (default 1 s). */
  connectTimeoutMs?: number;
  /**
   * How often the hosts after the first are looked at (default every 4th look, the first look
   * included). A server on all interfaces — most servers — answers on the first host; one bound
   * to ::1 alone is seen up to three looks later, and a burst of starts makes half the failed
   * connects (each ~0.1–0.2 ms of the server's CPU, 20 starts × ~50 looks).
   */
  laterHostsEvery?: number;
}

/** Ready when the port accepts a TCP connection (kept open for `holdMs` when given). */
export function portProbe(opts: PortProbeOptions): Probe {
  const { port, hosts = ['127.0.0.1', '::1'], connectTimeoutMs, laterHostsEvery = 4, ...connect } = opts;
  const reason = `port ${port} on ${hosts.join(' or ')} never accepted a connection`;
  let looks = 0;
  return {
    async check() {
      const tried = looks++ % laterHostsEvery === 0 ? hosts : hosts.slice(0, 1);
      for (const host of tried) {
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
