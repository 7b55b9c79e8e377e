import { type ObservedWorkload, TimeSlices } from '@berth/core';

/** A process as berth knows it: pid and start time (a recycled pid has another), and its group. */
export interface Identity {
  pid: number;
  startTicks: number;
  pgid: number;
}

/** Every adopted process gets a full look (its /proc stat) at least once in this many lists… */
export const FULL_LOOK_ROUNDS = 10;
/** …and at least this many get one per list. */
const FULL_LOOKS_MIN = 50;

/**
 * The tick's watch over processes this berth did not spawn (found running after a restart): no
 * exit event will tell of them. Each list checks that every one still exists (kill 0: a syscall,
 * no file read) and gives a slice of them, in turn, a full look — a stat read, which also tells a
 * zombie or a recycled pid apart — so each gets one every FULL_LOOK_ROUNDS lists. Between full
 * looks a process is reported as its last full look saw it. A process gone is seen at the next
 * list; a pid recycled by another process within a round is seen at its next full look.
 */
export class AdoptedWatch {
  private readonly lastLook = new Map<string, ObservedWorkload>();
  private turn = 0;

  constructor(private readonly exists: (pid: number) => boolean = pidExists) {}

  /**
   * The running ones among `ids` (in a stable order: the turn walks it), by `look` or the last look;
   * in time slices (10,000 after a restart: 1,000 stat reads and 9,000 kills a list).
   */
  async list(
    ids: Identity[],
    look: (id: Identity) => ObservedWorkload | undefined,
  ): Promise<ObservedWorkload[]> {
    const n = ids.length;
    const slice = Math.max(FULL_LOOKS_MIN, Math.ceil(n / FULL_LOOK_ROUNDS));
    const start = n === 0 ? 0 : this.turn % n;
    this.turn = start + slice;
    const out: ObservedWorkload[] = [];
    const keys = new Set<string>();
    const slices = new TimeSlices();
    for (const [i, id] of ids.entries()) {
      if (slices.due()) await slices.turn();
      const key = `${id.pid}:${id.startTicks}`;
      keys.add(key);
      const due = (i - start + n) % n < slice || !this.lastLook.has(key);
      const w = due ? look(id) : this.exists(id.pid) ? this.lastLook.get(key) : undefined;
      if (w) out.push(w);
      if (w && due) this.lastLook.set(key, w);
      else if (!w) this.lastLook.delete(key);
    }
    for (const key of this.lastLook.keys()) if (!keys.has(key)) this.lastLook.delete(key);
    return out;
  }
}

/** Whether a process with this pid exists (a zombie too); one of another user counts. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
