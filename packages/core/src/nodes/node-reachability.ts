import type { CancelTimer, Clock } from '../clock.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../logger.js';

export type Reachability = 'ready' | 'unreachable';

/**
 * What berth last saw of each node's reachability, from every look at it (a list, a test, the
 * periodic watch): a change is told on the EventBus once, as `node.status`. A node first seen
 * unreachable is told too (it may have gone while berth was stopped); one first seen ready is not.
 */
export class NodeReachability {
  private readonly seen = new Map<string, Reachability>();

  constructor(
    private readonly events: Pick<EventBus, 'emit'> | undefined,
    private readonly log: Logger,
  ) {}

  saw(node: string, now: Reachability, why: string | null): void {
    const before = this.seen.get(node);
    this.seen.set(node, now);
    if (before === now || (before === undefined && now === 'ready')) return;
    const message =
      now === 'unreachable'
        ? `node ${node} is unreachable: ${why ?? 'no answer'}`
        : `node ${node} is reachable again`;
    this.log[now === 'unreachable' ? 'warn' : 'info']({ node }, message);
    this.events?.emit({
      type: 'node.status',
      instanceId: null,
      instanceName: null,
      message,
      data: { node, from: before ?? null, to: now, ...(why && now === 'unreachable' ? { reason: why } : {}) },
    });
  }

  forget(node: string): void {
    this.seen.delete(node);
  }

  /**
   * Looks at every node each `intervalMs` through `look` (which feeds `saw`); a look still out when
   * the next is due is not doubled. Returns the cancel.
   */
  watch(clock: Clock, intervalMs: number, look: () => Promise<unknown>): CancelTimer {
    let busy = false;
    return clock.setInterval(() => {
      if (busy) return;
      busy = true;
      look()
        .catch((err) => this.log.warn({ err: String(err) }, 'Node watch pass failed'))
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
  }
}
