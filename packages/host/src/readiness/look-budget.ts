/**
 * A budget for the looks of many readiness waits at once: at most `perSecond` looks a second
 * across every wait that shares it, after a burst of `burst` at whatever pace the waits ask.
 * A look a wait asks for within the budget is made when asked; one beyond it is put off to the
 * next free slot, in the order asked (a cell-rate algorithm: each look reserves its slot).
 *
 * A failed TCP connect costs the server ~0.1–0.2 ms of CPU; 20 node programs started at once on
 * two cores were each looked at ~50 times at the waits' own pace, and those connects were most of
 * the server's CPU while the programs fought it for the cores. One wait alone is not slowed: its
 * looks stay within the burst while they come every few milliseconds, and spread out after.
 */
export class LookBudget {
  /** When the next look would be due if every look so far had kept to the rate (ms, monotonic). */
  private due = 0;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long to wait (≥ `wantedInMs`) for a look wanted `wantedInMs` from now; reserves it. */
  delay(wantedInMs: number): number {
    const interval = 1000 / this.perSecond;
    const now = this.now();
    const at = Math.max(now + wantedInMs, this.due - (this.burst - 1) * interval);
    this.due = Math.max(this.due, at) + interval;
    return at - now;
  }
}

/** The budget the process runtime's port and HTTP waits share: ~4 % of a core at ~0.17 ms a look. */
export const connectLooks = new LookBudget(250, 25);
