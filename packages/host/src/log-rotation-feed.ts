/** "The first `movedBytes` of `path` are now the end of `rotatedPath`": what a follower needs to keep its place. */
export interface LogRotation {
  path: string;
  /** `<path>.1`, which now ends with the bytes moved out of the live file. */
  rotatedPath: string;
  movedBytes: number;
  /**
   * How the live file was shortened: `collapse` removed exactly `movedBytes` from its head and kept
   * everything after them; `truncate` emptied it (lines written between the copy and the truncate
   * are lost — the fallback on filesystems without collapse-range).
   */
  mode: 'collapse' | 'truncate';
}

export type RotationListener = (rotation: LogRotation) => Promise<void> | void;

/**
 * In-process coordination between the log rotator and the followers of the same files: one lock
 * per file, so a follower's read never interleaves with a rotation, and rotation notices that
 * followers handle while the rotator still holds the lock, so every offset is fixed before anyone
 * reads the shortened file.
 */
export class LogRotationFeed {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners = new Map<string, Set<RotationListener>>();

  /** Runs `fn` alone for this file: after every earlier holder, before every later one. */
  withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(path) ?? Promise.resolve();
    const run = prev.then(fn);
    const done = run.catch(() => undefined);
    this.locks.set(path, done);
    void done.then(() => {
      if (this.locks.get(path) === done) this.locks.delete(path);
    });
    return run;
  }

  subscribe(path: string, listener: RotationListener): () => void {
    const set = this.listeners.get(path) ?? new Set();
    this.listeners.set(path, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(path) === set) this.listeners.delete(path);
    };
  }

  /** Tells every follower of the file; the rotator calls it while holding the file's lock. */
  async announce(rotation: LogRotation): Promise<void> {
    const listeners = [...(this.listeners.get(rotation.path) ?? [])];
    await Promise.all(listeners.map(async (l) => l(rotation)));
  }

  followers(path: string): number {
    return this.listeners.get(path)?.size ?? 0;
  }
}
