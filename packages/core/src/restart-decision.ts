import type { Instance } from './instance.js';
import type { RestartPolicy } from './template.js';

/**
 * The policy of a template without a `restart` block (and an instance without its own): a crashed
 * long-running service comes back, with the capped backoff — 1 s, 2 s, 4 s … at most 60 s, at most
 * 5 times, the count reset by a minute's run; a clean exit (code 0) stays stopped. An unhealthy one
 * is reported, not restarted (`onUnhealthy` says otherwise). The same as Swarm's and the compose
 * export's default; `restart: { policy: never }` turns it off.
 */
export const defaultRestartPolicy: RestartPolicy = {
  policy: 'on-failure',
  maxRetries: 5,
  backoffSeconds: 1,
  maxBackoffSeconds: 60,
  resetAfterSeconds: 60,
  onUnhealthy: false,
};

export type RestartDecision =
  | { restart: true; delayMs: number; attempt: number }
  | { restart: false; reason: string };

/** What to do when a workload that should run has stopped: restart after a backoff, or give up. Pure. */
export function decideRestart(
  policy: RestartPolicy,
  instance: Pick<Instance, 'restartCount'>,
  exitCode: number | null,
  why: 'exited' | 'unhealthy',
): RestartDecision {
  if (policy.policy === 'never') return { restart: false, reason: 'the restart policy is never' };
  if (why === 'exited' && policy.policy === 'on-failure' && exitCode === 0) {
    return { restart: false, reason: 'it exited cleanly (code 0)' };
  }
  if (why === 'unhealthy' && !policy.onUnhealthy)
    return { restart: false, reason: 'restarts on unhealthy are off' };
  if (instance.restartCount >= policy.maxRetries) {
    return {
      restart: false,
      reason: `gave up after ${policy.maxRetries} restart${policy.maxRetries === 1 ? '' : 's'}`,
    };
  }
  const delay = Math.min(policy.backoffSeconds * 2 ** instance.restartCount, policy.maxBackoffSeconds) * 1000;
  return { restart: true, delayMs: delay, attempt: instance.restartCount + 1 };
}
