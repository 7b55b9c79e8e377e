import type { Target } from './instance-targets.js';
import type { WorkerTarget } from './proxy-worker-messages.js';

const TTL_MS = 2000;
const MISS: Target = { ok: false, reason: 'not known in this worker' };

/**
 * A proxy worker's copy of the routing table, filled from the main process: a key it has no
 * target for is asked for (`want`) and answered as a miss meanwhile, so that connection is relayed
 * to the main process, which routes it itself. The main process sends every later change of a key
 * a worker asked for; an answer older than the main process's own cache (2 s) is still used once
 * more while a fresh one is asked for, so a long-lived connection never stops for a refresh.
 */
export class WorkerTargets {
  private readonly table = new Map<string, { at: number; target: Target }>();
  private readonly asked = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(private readonly want: (key: string) => void) {}

  find(key: string): Target {
    const hit = this.table.get(key);
    if (!hit || Date.now() - hit.at >= TTL_MS) this.ask(key);
    return hit?.target ?? MISS;
  }

  /**
   * Resolves once every key asked for so far is answered (at most `waitMs` later); at once when
   * none is outstanding.
   */
  answered(waitMs: number): Promise<void> {
    if (this.asked.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The main process's answer for `key`, or a change it tells of. */
  set(key: string, target: WorkerTarget): void {
    this.asked.delete(key);
    if (this.asked.size === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    this.table.set(key, {
      at: Date.now(),
      target: target ? { ok: true, host: target.host, port: target.port } : MISS,
    });
    if (this.table.size > 20_000) this.table.clear();
  }

  private ask(key: string): void {
    if (this.asked.has(key)) return;
    this.asked.add(key);
    this.want(key);
  }
}
