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

/**
 * At most `limit` holders at once; the rest wait in arrival order. DuckDB runs each statement on a
 * thread of Node's shared pool, so a few runaway analysts' queries must not take all of them.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
