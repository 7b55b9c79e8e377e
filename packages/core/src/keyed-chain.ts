/**
 * One promise chain per key: what is run for a key starts when the key's previous run has ended
 * (whether it failed or not), runs for different keys go on in parallel.
 */
export class KeyedChain {
  private readonly chains = new Map<string, Promise<unknown>>();

  /** Runs `fn` after the key's earlier runs; resolves or rejects as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.chains.set(key, next);
    void next
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  /** Whether a run of the key is queued or going. */
  busy(key: string): boolean {
    return this.chains.has(key);
  }

  /** Waits for every run queued so far. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }
}
