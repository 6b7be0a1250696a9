/** Thrown when a caller already has as many queries waiting as one caller may. */
export class QueueFullError extends Error {
  constructor(readonly waiting: number) {
    super(`You already have ${waiting} SQL queries waiting; wait for them to finish before sending more`);
    this.name = 'QueueFullError';
  }
}

/** Thrown for a job whose caller went away while it was still waiting. */
export class JobAbortedError extends Error {
  constructor() {
    super('The query was cancelled before it started because its caller went away');
    this.name = 'JobAbortedError';
  }
}

const MAX_REMEMBERED_CALLERS = 10_000;

interface Job {
  readonly start: () => void;
}

/**
 * Runs jobs of many callers on a few slots, fairly: each caller runs at most one job at a time, and
 * a freed slot goes to the caller who has waited longest since their last turn (round robin), so one
 * caller's burst of slow queries delays only that caller. A caller may keep at most `maxWaiting`
 * jobs waiting; a job whose signal is aborted while waiting leaves the queue at once.
 */
export class FairScheduler {
  private active = 0;
  private readonly running = new Set<string>();
  /** Waiting jobs by caller, in the order in which callers first queued. */
  private readonly queues = new Map<string, Job[]>();
  /** When each caller's last job started (a counter, not a clock); callers who waited longest go first. */
  private readonly lastTurn = new Map<string, number>();
  private turns = 0;

  constructor(
    private readonly slots: number,
    private readonly maxWaiting = 4,
  ) {}

  /** Callers' jobs running and waiting now (for tests and health). */
  stats(): { running: number; waiting: number } {
    let waiting = 0;
    for (const q of this.queues.values()) waiting += q.length;
    return { running: this.active, waiting };
  }

  run<T>(caller: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new JobAbortedError());
    const queue = this.queues.get(caller) ?? [];
    if (queue.length >= this.maxWaiting) return Promise.reject(new QueueFullError(queue.length));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const q = this.queues.get(caller);
        const at = q?.indexOf(job) ?? -1;
        if (at < 0) return;
        q!.splice(at, 1);
        if (q!.length === 0) this.queues.delete(caller);
        reject(new JobAbortedError());
      };
      const job: Job = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          fn()
            .then(resolve, reject)
            .finally(() => this.finish(caller));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(job);
      this.queues.set(caller, queue);
      this.dispatch();
    });
  }

  /** Starts waiting jobs while slots are free: each time the caller whose last turn is longest ago, skipping those running. */
  private dispatch(): void {
    while (this.active < this.slots) {
      const next = this.nextCaller();
      if (next === undefined) return;
      const queue = this.queues.get(next)!;
      const job = queue.shift()!;
      if (queue.length === 0) this.queues.delete(next);
      this.turns += 1;
      this.lastTurn.set(next, this.turns);
      this.active += 1;
      this.running.add(next);
      job.start();
    }
  }

  private nextCaller(): string | undefined {
    let best: string | undefined;
    let bestTurn = Infinity;
    for (const caller of this.queues.keys()) {
      if (this.running.has(caller)) continue;
      const turn = this.lastTurn.get(caller) ?? 0;
      if (turn < bestTurn) {
        best = caller;
        bestTurn = turn;
      }
    }
    return best;
  }

  private finish(caller: string): void {
    this.active -= 1;
    this.running.delete(caller);
    this.forgetIdleCallers();
    this.dispatch();
  }

  /** Keeps the record of turns small: callers with nothing running or waiting are forgotten once there are many. */
  private forgetIdleCallers(): void {
    if (this.lastTurn.size <= MAX_REMEMBERED_CALLERS) return;
    for (const caller of this.lastTurn.keys()) {
      if (!this.running.has(caller) && !this.queues.has(caller)) this.lastTurn.delete(caller);
    }
  }
}
