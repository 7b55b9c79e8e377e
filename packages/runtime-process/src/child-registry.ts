import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ExitInfo {
  code: number;
  /** The signal that ended it, if any (code is then 128 + its number, as shells report it). */
  signal: NodeJS.Signals | null;
}

interface Entry {
  startTicks: number;
  exit: ExitInfo | undefined;
  exited: Promise<ExitInfo>;
}

/**
 * The processes this berth spawned in its lifetime, so their exit codes are known. A pid is only
 * matched together with its start ticks, so a recycled pid never inherits an old exit code.
 */
export class ChildRegistry {
  private readonly entries = new Map<number, Entry>();

  track(child: ChildProcess, startTicks: number): Promise<ExitInfo> {
    const exited = new Promise<ExitInfo>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        const info = { code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), signal };
        const entry = this.entries.get(child.pid!);
        if (entry) entry.exit = info;
        resolve(info);
      };
      if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
      else child.once('exit', done);
    });
    this.entries.set(child.pid!, { startTicks, exit: undefined, exited });
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
