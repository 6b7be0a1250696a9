/**
 * Many readers or one writer. Queries of the sandbox are readers; replacing its data is the writer,
 * which waits for running queries and holds new ones back until it is done.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { write: boolean; wake: () => void }[] = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.readers -= 1;
      this.next();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.next();
    }
  }

  private acquire(write: boolean): Promise<void> {
    // A waiting writer goes first, so a steady stream of queries cannot starve a refresh.
    const free = write ? !this.writer && this.readers === 0 : !this.writer && !this.waiting.some((w) => w.write);
    if (free && this.waiting.length === 0) {
      this.take(write);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ write, wake: resolve }));
  }

  private take(write: boolean): void {
    if (write) this.writer = true;
    else this.readers += 1;
  }

  private next(): void {
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (head.write) {
        if (this.writer || this.readers > 0) return;
        this.waiting.shift();
        this.take(true);
        head.wake();
        return;
      }
      if (this.writer) return;
      this.waiting.shift();
      this.take(false);
      head.wake();
    }
  }
}
