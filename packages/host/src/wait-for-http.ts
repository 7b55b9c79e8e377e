import { pollUntil, type WaitOptions } from './poll-until.js';

/** One GET; the status, or undefined when nothing answered. */
async function statusOf(url: string, signal?: AbortSignal): Promise<number | undefined> {
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
