import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { notYet, type Probe, READY } from './probe.js';
import { tcpConnect } from './tcp-connect.js';

export interface HttpProbeOptions {
  url: string;
  /** The one status that counts; without it, any status below `okBelow`. */
  expectStatus?: number | undefined;
  /** Statuses below this count when no `expectStatus` is given (default 500: the server answers). */
  okBelow?: number;
  /** How long one request may take (default 2 s). */
  requestTimeoutMs?: number;
}

/**
 * Ready when a GET of `url` answers with a status that counts (redirects are answers, not
 * followed). A listener is looked for first with a plain connect that refuses to talk to itself
 * (see `isSelfConnected`): fetch's own connect to a port nobody holds yet could take that port
 * from the program about to bind it.
 */
export function httpProbe(opts: HttpProbeOptions): Probe {
  const { url, expectStatus, okBelow = 500, requestTimeoutMs = 2_000 } = opts;
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const tcpPort = Number(port) || (protocol === 'https:' ? 443 : 80);
  const counts = (s: number) => (expectStatus !== undefined ? s === expectStatus : s < okBelow);
  return {
    async check(signal) {
      if ((await tcpConnect(host, tcpPort)) !== 'open') {
        return notYet(`GET ${url} failed: nothing accepts connections on port ${tcpPort}`);
      }
      try {
        const status = await statusOf(url, requestTimeoutMs, signal);
        return counts(status) ? READY : notYet(`GET ${url} answered ${status}`);
      } catch (err) {
        return notYet(`GET ${url} failed: ${(err as Error).message}`);
      }
    },
  };
}

/**
 * One GET on a connection of its own, closed once the status is in or the request gives up
 * (timeout, abort). fetch kept a connection it had given up on open on the workload's port.
 */
function statusOf(url: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, headers: { accept: '*/*' }, ...(signal ? { signal } : {}) },
      (res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}
