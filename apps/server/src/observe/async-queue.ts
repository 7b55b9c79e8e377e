/** Items pushed from callbacks, read as an async iterable until the signal aborts. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  async *drain(): AsyncGenerator<T> {
    while (!this.signal.aborted) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
