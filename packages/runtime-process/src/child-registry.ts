export interface ExitInfo {
  code: number;
  /** The signal that ended it, if any (code is then 128 + its number, as shells report it). */
  signal: NodeJS.Signals | null;
}

interface Entry {
  startTicks: number;
  exit: ExitInfo | undefined;
  exited: Promise<ExitInfo | undefined>;
}

/**
 * The processes this berth spawned in its lifetime, so their exit codes are known. A pid is only
 * matched together with its start ticks, so a recycled pid never inherits an old exit code.
 */
export class ChildRegistry {
  private readonly entries = new Map<number, Entry>();

  /**
   * Keeps the exit of a process this berth started. `exited` resolving undefined means its exit
   * can no longer be known (the spawn helper ended first): the entry is dropped, and the process
   * is then looked at in /proc like one found after a restart.
   */
  track(
    pid: number,
    startTicks: number,
    exited: Promise<ExitInfo | undefined>,
  ): Promise<ExitInfo | undefined> {
    const entry: Entry = { startTicks, exit: undefined, exited };
    this.entries.set(pid, entry);
    void exited.then((info) => {
      if (this.entries.get(pid) !== entry) return;
      if (info) entry.exit = info;
      else this.entries.delete(pid);
    });
    return exited;
  }

  /** Whether this berth spawned the process (pid + start ticks) in its lifetime. */
  spawned(pid: number, startTicks: number): boolean {
    return this.entries.get(pid)?.startTicks === startTicks;
  }

  /**
   * Whether it runs, by its 'exit' event alone (no look at /proc): true while this berth's child
   * has not exited, false once it has, undefined for a process this berth did not spawn.
   */
  running(pid: number, startTicks: number): boolean | undefined {
    const entry = this.entries.get(pid);
    return entry?.startTicks === startTicks ? entry.exit === undefined : undefined;
  }

  /** Its exit, when this berth spawned it and it has ended. */
  exitOf(pid: number, startTicks: number): ExitInfo | undefined {
    const entry = this.entries.get(pid);
    return entry?.startTicks === startTicks ? entry.exit : undefined;
  }

  /**
   * Its exit, waiting up to `timeoutMs` for Node to report it: a child that just died can be seen
   * dead (a zombie, or gone) in /proc before its 'exit' event has run.
   */
  async exitSoon(pid: number, startTicks: number, timeoutMs = 1_000): Promise<ExitInfo | undefined> {
    const entry = this.entries.get(pid);
    if (entry?.startTicks !== startTicks) return undefined;
    if (entry.exit) return entry.exit;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), timeoutMs);
    });
    try {
      return await Promise.race([entry.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  forget(pid: number, startTicks: number): void {
    if (this.spawned(pid, startTicks)) this.entries.delete(pid);
  }
}
