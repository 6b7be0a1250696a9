/** Rows per `recordObservations` call. */
export const DEFAULT_BATCH_SIZE = 500;

/** Files with at least this many rows get a progress bar (when the output is a terminal). */
export const PROGRESS_THRESHOLD = 1000;
