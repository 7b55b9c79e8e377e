import type { Clock, Logger, Store } from '@berth/core';
import { raceSignal } from './deadline.js';
import type { ScanRunner } from './scan-runner.js';

interface Loop {
  stop: AbortController;
  done: Promise<void>;
}

/**
 * One timer per integration that is enabled and auto-detects: it scans at once, then every
 * `scanIntervalSeconds` after the previous scan ended, so its scans never overlap. Each loop is
 * independent — a slow or dead endpoint holds up only its own loop. `refresh(id)` restarts (or
 * ends) one loop after its integration changed.
 */
export class ScanScheduler {
  private readonly loops = new Map<string, Loop>();
  private started = false;

  constructor(private readonly d: { store: Store; runner: ScanRunner; clock: Clock; log: Logger }) {}

  start(): void {
    this.started = true;
    for (const i of this.d.store.integrations.list()) this.refresh(i.id);
  }

  /** Re-reads the integration: stops its loop and starts a new one if it should still scan. */
  refresh(id: string): void {
    if (!this.started) return;
    this.loops.get(id)?.stop.abort();
    this.loops.delete(id);
    const i = this.d.store.integrations.find(id);
    if (!i?.enabled || !i.autoDetect) return;
    const stop = new AbortController();
    const loop: Loop = { stop, done: Promise.resolve() };
    loop.done = this.loop(id, i.scanIntervalSeconds * 1000, stop.signal).finally(() => {
      if (this.loops.get(id) === loop) this.loops.delete(id);
    });
    this.loops.set(id, loop);
  }

  /** Ids of the integrations that have a timer. */
  scheduled(): string[] {
    return [...this.loops.keys()];
  }

  /** Ends every loop at once; a scan under way is left to the runner (`ScanRunner.close`). */
  async stop(): Promise<void> {
    this.started = false;
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const l of loops) l.stop.abort();
    await Promise.allSettled(loops.map((l) => l.done));
  }

  private async loop(id: string, intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await raceSignal(this.d.runner.scan(id), signal);
      } catch (err) {
        if (!signal.aborted) this.d.log.debug({ integration: id, err: String(err) }, 'scan loop ends');
        return;
      }
      try {
        await this.d.clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
    }
  }
}
