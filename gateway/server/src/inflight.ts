/**
 * Shares one pending piece of work among every caller that asks for the same key while it runs: the
 * first caller starts it, the others wait for the same promise, and the key is forgotten as soon as
 * it settles, so nothing is kept after the answer (this is not a cache).
 */
export class Inflight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key);
    if (running) return running;
    const started = start().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }

  /** Keys being worked on now. */
  get size(): number {
    return this.pending.size;
  }
}
