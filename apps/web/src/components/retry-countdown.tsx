import type { InstanceView } from '../api/types';
import { useNow } from '../hooks/use-now';
import { useRestartLimit } from '../hooks/use-restart-limit';
import { backoffWords, inBackoff } from '../lib/restart-backoff';

type Crashed = Pick<
  InstanceView,
  'template' | 'status' | 'desiredState' | 'nextRetryAt' | 'restartCount' | 'lastExitCode'
> & { restart?: InstanceView['restart'] };

/**
 * "Exited with code 1 — restarting in 12 s (attempt 2 of 5)", counting down, out of the instance's
 * effective restart policy; nothing outside a backoff.
 */
export function RetryCountdown({ instance: i }: { instance: Crashed }) {
  const active = inBackoff(i);
  const now = useNow(active);
  // the policy berth restarts by: the instance's own when it has one (an edit), else its template's
  const own = i.restart?.maxRetries;
  const templates = useRestartLimit(i.template, active && own === undefined);
  const limit = own ?? templates;
  if (!inBackoff(i)) return null;
  const exit = i.lastExitCode === null ? 'Exited' : `Exited with code ${i.lastExitCode}`;
  return (
    <span className="retry-countdown" data-retry>
      {exit} — {backoffWords(i.nextRetryAt, i.restartCount, limit, now)}
    </span>
  );
}
