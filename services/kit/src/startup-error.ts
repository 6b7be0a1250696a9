/**
 * A reason a service cannot start that an operator can act on (a store written by a newer release, a
 * data file it may not write): `runMain` prints the message alone, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
