import type { Clock } from './clock.js';
import type { BerthEvent, NewEvent } from './event.js';
import type { Store } from './store.js';

export type EventListener = (e: BerthEvent) => void;

/** Records every event in the store and tells live subscribers (WebSocket, SSE, sampler). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  emit(e: NewEvent): BerthEvent {
    const saved = this.store.events.append({ ...e, ts: e.ts ?? this.clock.now() });
    for (const l of this.listeners) {
      try {
        l(saved);
      } catch {
        // a subscriber's failure is its own
      }
    }
    return saved;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
