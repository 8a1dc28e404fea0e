/**
 * A push-to-pull bridge: producers `push`, `fail` or `end`; one consumer iterates with
 * `for await`. Used where callbacks (client-node's Watch) or several producers (one watch per
 * kind) feed an async iterator.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private error: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  /** Adds an item (ignored after end or failure). */
  push(item: T): void {
    if (this.ended || this.error) return;
    this.items.push(item);
    this.notify();
  }

  /** Ends the iteration with an error, after the items already queued. */
  fail(error: Error): void {
    if (this.ended || this.error) return;
    this.error = error;
    this.notify();
  }

  /** Ends the iteration normally, after the items already queued. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
