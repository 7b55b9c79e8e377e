import type { Clock, Logger } from '@berth/core';
import type { Notification } from './notification.js';

export interface RetryPolicy {
  /** Attempts per message, the first included. */
  attempts: number;
  /** The wait before the second attempt; doubled for each one after, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Messages a channel may hold; beyond it the oldest is dropped (and logged). */
  capacity: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  capacity: 100,
};

export interface DeliveryHooks {
  /** Sends one message; throws with a reason when the receiver did not take it. */
  send(channelId: string, n: Notification): Promise<void>;
  delivered(channelId: string): void;
  failed(channelId: string, reason: string, willRetry: boolean): void;
}

interface Lane {
  messages: Notification[];
  busy: boolean;
}

/**
 * Messages wait here, one lane per channel, each lane sending one message at a time and retrying it
 * with backoff. `push` only appends: the event that caused a message never waits for a receiver,
 * and a slow or broken channel holds up only its own lane.
 */
export class DeliveryQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly hooks: DeliveryHooks,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: RetryPolicy = defaultRetryPolicy,
  ) {}

  push(channelId: string, n: Notification): void {
    if (this.closed) return;
    let lane = this.lanes.get(channelId);
    if (!lane) {
      lane = { messages: [], busy: false };
      this.lanes.set(channelId, lane);
    }
    lane.messages.push(n);
    if (lane.messages.length > this.policy.capacity) {
      // The oldest one waiting: while the lane is busy the first is being sent, and stays.
      const [dropped] = lane.messages.splice(lane.busy ? 1 : 0, 1);
      this.log.warn({ channel: channelId, rule: dropped?.rule }, 'Notification dropped: the channel is full');
    }
    if (!lane.busy) void this.drain(channelId, lane);
  }

  /** Messages a channel has waiting (the one being sent included). */
  pending(channelId: string): number {
    return this.lanes.get(channelId)?.messages.length ?? 0;
  }

  /** Forgets a removed channel's messages. */
  forget(channelId: string): void {
    const lane = this.lanes.get(channelId);
    if (lane) lane.messages.length = 0;
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  private async drain(channelId: string, lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      while (!this.closed && lane.messages.length > 0) {
        const n = lane.messages[0]!;
        await this.deliver(channelId, n);
        if (lane.messages[0] === n) lane.messages.shift();
      }
    } finally {
      lane.busy = false;
    }
  }

  private async deliver(channelId: string, n: Notification): Promise<void> {
    for (let attempt = 1; attempt <= this.policy.attempts && !this.closed; attempt++) {
      try {
        await this.hooks.send(channelId, n);
        this.hooks.delivered(channelId);
        return;
      } catch (err) {
        const willRetry = attempt < this.policy.attempts;
        this.hooks.failed(channelId, err instanceof Error ? err.message : String(err), willRetry);
        if (willRetry) await this.wait(this.delay(attempt));
      }
    }
  }

  private delay(attempt: number): number {
    return Math.min(this.policy.baseDelayMs * 2 ** (attempt - 1), this.policy.maxDelayMs);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimeout(() => {
        this.timers.delete(cancel);
        resolve();
      }, ms);
      this.timers.add(cancel);
    });
  }
}
