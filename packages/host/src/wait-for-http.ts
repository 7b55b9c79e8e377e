import { pollUntil, type WaitOptions } from './poll-until.js';
import { canConnect } from './wait-for-port.js';

/**
 * One GET; the status, or undefined when nothing answered. A listener is looked for first with a
 * plain connect that refuses to talk to itself (see `isSelfConnected`): fetch's own connect to a
 * port nobody holds yet could take that port from the program about to bind it.
 */
async function statusOf(url: string, signal?: AbortSignal): Promise<number | undefined> {
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (!(await canConnect(Number(port) || (protocol === 'https:' ? 443 : 80), host))) return undefined;
  const timeout = AbortSignal.timeout(2000);
  try {
    const res = await fetch(url, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'manual',
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Waits until `url` answers: with `expectStatus` exactly, otherwise any status below 500. */
export async function waitForHttp(url: string, opts: WaitOptions & { expectStatus?: number }): Promise<void> {
  const ok = (s: number) => (opts.expectStatus !== undefined ? s === opts.expectStatus : s < 500);
  await pollUntil(
    `HTTP ${url} answering${opts.expectStatus !== undefined ? ` ${opts.expectStatus}` : ''}`,
    async () => {
      const status = await statusOf(url, opts.signal);
      return status !== undefined && ok(status);
    },
    opts,
  );
}
