/** Thrown when the launch is stopped (Ctrl-C, SIGTERM) before every service is ready. */
export class LaunchAbortedError extends Error {
  constructor() {
    super('Stopped during start-up');
    this.name = 'LaunchAbortedError';
  }
}

/**
 * Whether a `/health` answer comes from the service this launcher started: the service's name and this
 * launch's id. Returns null when it does, else what the answer says instead.
 */
export function checkHealthIdentity(body: Record<string, unknown>, service: string, launchId: string): string | null {
  if (body.service === service && body.launch === launchId) return null;
  const says = typeof body.service === 'string' ? `service "${body.service}"` : 'no service name';
  const launch = body.service === service ? ', started by another launch' : '';
  return `it says ${says}${launch}`;
}

/** Whether fetch refused the port itself (Node's fetch: TypeError "fetch failed", cause "bad port"). */
export function isBadPortError(error: unknown): boolean {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return cause?.message === 'bad port';
}

/** Waits `ms`, or less when `signal` aborts (then rejects with {@link LaunchAbortedError}). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LaunchAbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LaunchAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
