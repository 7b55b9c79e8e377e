import type { InstanceView } from '../api/types';
import { useNow } from '../hooks/use-now';
import { useRestartLimit } from '../hooks/use-restart-limit';
import { backoffWords, inBackoff } from '../lib/restart-backoff';

type Crashed = Pick<
  InstanceView,
  'template' | 'status' | 'desiredState' | 'nextRetryAt' | 'restartCount' | 'lastExitCode'
>;

/** "Exited with code 1 — restarting in 12 s (attempt 2 of 5)", counting down; nothing outside a backoff. */
export function RetryCountdown({ instance: i }: { instance: Crashed }) {
  const active = inBackoff(i);
  const now = useNow(active);
  const limit = useRestartLimit(i.template, active);
  if (!inBackoff(i)) return null;
  const exit = i.lastExitCode === null ? 'Exited' : `Exited with code ${i.lastExitCode}`;
  return (
    <span className="retry-countdown" data-retry>
      {exit} — {backoffWords(i.nextRetryAt, i.restartCount, limit, now)}
    </span>
  );
}
