import type { Clock } from './clock.js';
import type { PortView } from './port-view.js';

interface Reading {
  startedAt: number;
  view: Promise<PortView>;
}

/**
 * The last reading of each host's sources, kept so a caller that may use a view up to `maxAgeMs`
 * old takes it (or joins it while it is being read) instead of reading again: with 10,000
 * listeners one read of the kernel's socket tables costs ~35 ms of CPU, and a burst of creates
 * asked for one each. Age counts from when the reading began. A caller asking with 0 always reads,
 * and what it read serves the callers after it. Views handed out are the base views themselves:
 * callers derive their own (`PortView.derive`) before changing anything.
 */
export class RecentViews {
  private readonly latest = new Map<string, Reading>();

  constructor(private readonly clock: Clock) {}

  get(host: string, maxAgeMs: number, read: () => Promise<PortView>): Promise<PortView> {
    const now = this.clock.now();
    const last = this.latest.get(host);
    if (maxAgeMs > 0 && last && now - last.startedAt <= maxAgeMs) return last.view;
    const reading: Reading = { startedAt: now, view: read() };
    this.latest.set(host, reading);
    reading.view.catch(() => {
      if (this.latest.get(host) === reading) this.latest.delete(host);
    });
    return reading.view;
  }
}

/** How long one reading of a host may choose the ports of the instances after it. */
export interface ViewReuseOptions {
  /**
   * In ms; 0 (the default) reads the sources for every lease. Used only where berth picks the
   * ports freely — a new instance's, a deploy's without pins — never for a pinned port, a
   * preflight, a port check or a retry after a failed bind: a port taken since the reading
   * shows as a failed bind, which the deploy re-chooses once (PortBindFailed).
   */
  maxAgeMs: number;
}
