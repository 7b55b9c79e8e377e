import type { NotificationRules } from '@berth/contracts';
import type { BerthEvent } from '@berth/core';
import type { Notification } from './notification.js';

type Said = Pick<Notification, 'rule' | 'severity' | 'title'>;

/**
 * The notification an event calls for under a channel's rules, or undefined. Every rule reads the
 * EventBus's own events, so a channel hears of what the event feed shows:
 * - crashes come as the restart they schedule (`instance.restart` with an exit code) and as the
 *   give-up (`instance.status` to `error` with the policy's "gave up" reason);
 * - health as `instance.health` turning `unhealthy`;
 * - nodes as `node.status` (turning unreachable, and reachable again);
 * - builds as `build.finished` (done or failed; a cancel is the operator's own doing);
 * - ports as `instance.port-conflict` (a start stopped on a port someone holds) and as
 *   `instance.ports` with a holder (a port berth moved because it was taken).
 */
export function notificationFor(e: BerthEvent, rules: NotificationRules): Notification | undefined {
  const said = what(e, rules);
  if (!said) return undefined;
  return { ...said, text: e.message, instance: e.instanceName, ts: e.ts };
}

function what(e: BerthEvent, rules: NotificationRules): Said | undefined {
  const name = e.instanceName ?? 'an instance';
  switch (e.type) {
    case 'instance.restart':
      if (!rules.crashLoop || e.data.exitCode === undefined) return undefined;
      return { rule: 'crash-loop', severity: 'warning', title: `${name} crashed` };
    case 'instance.status':
      if (!rules.crashLoop || e.data.to !== 'error' || !/gave up/.test(e.message)) return undefined;
      return { rule: 'gave-up', severity: 'error', title: `${name}: gave up restarting` };
    case 'instance.health':
      if (!rules.unhealthy || e.data.to !== 'unhealthy') return undefined;
      return { rule: 'unhealthy', severity: 'warning', title: `${name} is unhealthy` };
    case 'node.status':
      return rules.nodeUnreachable ? nodeSaid(e) : undefined;
    case 'build.finished':
      return buildSaid(e, rules);
    case 'instance.port-conflict':
      if (!rules.portConflict) return undefined;
      return { rule: 'port-conflict', severity: 'error', title: `${name} did not start: a port is taken` };
    case 'instance.ports':
      if (!rules.portConflict || typeof e.data.usedBy !== 'string') return undefined;
      return { rule: 'port-moved', severity: 'warning', title: `${name}: port ${e.data.name} moved` };
    default:
      return undefined;
  }
}

function nodeSaid(e: BerthEvent): Said {
  const node = String(e.data.node);
  return e.data.to === 'unreachable'
    ? { rule: 'node-unreachable', severity: 'error', title: `node ${node} is unreachable` }
    : { rule: 'node-reachable', severity: 'info', title: `node ${node} is reachable again` };
}

function buildSaid(e: BerthEvent, rules: NotificationRules): Said | undefined {
  const app = String(e.data.app);
  if (e.data.status === 'failed' && rules.buildFailed)
    return { rule: 'build-failed', severity: 'error', title: `build of ${app} failed` };
  if (e.data.status === 'done' && rules.buildSucceeded)
    return { rule: 'build-succeeded', severity: 'info', title: `build of ${app} succeeded` };
  return undefined;
}
