/** Rows per `recordObservationColumns` call: large enough that per-request costs (HTTP, gateway, transaction) fade. */
export const DEFAULT_BATCH_SIZE = 5000;

/** Files of at least this many bytes (about a thousand rows) get a progress bar (when the output is a terminal). */
export const PROGRESS_THRESHOLD_BYTES = 40_000;
