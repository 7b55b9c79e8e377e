import { KeyedChain } from '../keyed-chain.js';

/** What an instance's queue runs: one action at a time per instance. */
export type Action = 'converge' | 'restart' | 'rollout' | 'scale' | 'heal' | 'kill' | 'destroy';
export interface ActionOptions {
  volumes?: boolean;
  /** destroy: leave the instance's data (a cluster's data volume or claim) where it is. */
  keepData?: boolean;
}
type Run = (id: string, action: Action, opts: ActionOptions) => Promise<void>;

/**
 * One promise chain per instance, many instances in parallel; and the abort controller of the
 * deploy or readiness wait each instance has in flight, so a newer request can cut it short.
 */
export class ActionQueue {
  private readonly chains = new KeyedChain();
  private readonly inflight = new Map<string, AbortController>();

  constructor(private readonly run: Run) {}

  /** Queues an action for the instance; resolves when it is done, rejects with its error. */
  enqueue(id: string, action: Action, opts: ActionOptions = {}): Promise<void> {
    // A converge or a scale builds on what is in flight (a scale changes the count of what runs).
    if (action !== 'converge' && action !== 'scale') this.abort(id, 'superseded by a newer request');
    return this.chains.run(id, () => this.run(id, action, opts));
  }

  /** Whether an action of the instance is queued or running. */
  busy(id: string): boolean {
    return this.chains.busy(id);
  }

  /** Aborts the instance's deploy or readiness wait in flight, if any. */
  abort(id: string, reason: string): void {
    this.inflight.get(id)?.abort(new Error(reason));
  }

  /** Registers the instance's deploy or wait in flight; `end` it when it is over. */
  begin(id: string): AbortController {
    const ac = new AbortController();
    this.inflight.set(id, ac);
    return ac;
  }

  end(id: string, ac: AbortController): void {
    if (this.inflight.get(id) === ac) this.inflight.delete(id);
  }

  /** Waits for every queued action. */
  async drain(): Promise<void> {
    await this.chains.drain();
  }
}
