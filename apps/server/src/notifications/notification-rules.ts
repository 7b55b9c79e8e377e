import type { NotificationRules } from '@berth/contracts';
import type { BerthEvent } from '@berth/core';
import type { Notification } from './notification.js';

/**
 * The notification an event calls for under a channel's rules, or undefined. Crashes come as the
 * restart they schedule (`instance.restart` with an exit code) and as the give-up (`instance.status`
 * to `error` with the policy's "gave up" reason); health as `instance.health` turning `unhealthy`.
 */
export function notificationFor(e: BerthEvent, rules: NotificationRules): Notification | undefined {
  const about = { instance: e.instanceName, ts: e.ts };
  const name = e.instanceName ?? 'an instance';
  if (rules.crashLoop && e.type === 'instance.restart' && e.data.exitCode !== undefined) {
    return { ...about, rule: 'crash-loop', severity: 'warning', title: `${name} crashed`, text: e.message };
  }
  if (rules.crashLoop && e.type === 'instance.status' && e.data.to === 'error' && /gave up/.test(e.message)) {
    return {
      ...about,
      rule: 'gave-up',
      severity: 'error',
      title: `${name}: gave up restarting`,
      text: e.message,
    };
  }
  if (rules.unhealthy && e.type === 'instance.health' && e.data.to === 'unhealthy') {
    return {
      ...about,
      rule: 'unhealthy',
      severity: 'warning',
      title: `${name} is unhealthy`,
      text: e.message,
    };
  }
  return undefined;
}
