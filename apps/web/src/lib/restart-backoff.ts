import type { InstanceView } from '../api/types';

type Backoff = Pick<InstanceView, 'status' | 'desiredState' | 'nextRetryAt'>;

/** The instance crashed and berth will start it again at `nextRetryAt` (its restart policy's backoff). */
export function inBackoff(i: Backoff): i is Backoff & { nextRetryAt: number } {
  return i.status === 'error' && i.desiredState === 'running' && i.nextRetryAt !== null;
}

/** "restarting in 12 s (attempt 2 of 5)"; "restarting now (…)" once the time has come. */
export function backoffWords(nextRetryAt: number, attempt: number, limit: number | undefined, now: number) {
  const s = Math.ceil((nextRetryAt - now) / 1000);
  const when = s > 0 ? `in ${s} s` : 'now';
  return `restarting ${when} (attempt ${attempt}${limit ? ` of ${limit}` : ''})`;
}
