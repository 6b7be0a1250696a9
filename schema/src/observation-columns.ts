import { z } from 'zod';
import type { ObservationRecord } from './ingest-row';

/**
 * A batch of figures as five parallel columns: row i is `indicator[i]`, `unit[i]`, `period[i]`,
 * `value[i]`, `target[i]` (a missing or null cell: not given). The same figures as a list of
 * `ObservationRecord`s, in a third of the bytes, and checked once per column instead of field by
 * field by every GraphQL server the batch passes through.
 */
export const observationColumnsSchema = z
  .object({
    indicator: z.array(z.string()),
    unit: z.array(z.string()),
    period: z.array(z.string()),
    value: z.array(z.number().nullable()).optional(),
    target: z.array(z.number().nullable()).optional(),
  })
  .strict();
export type ObservationColumns = z.infer<typeof observationColumnsSchema>;

/** Why a columns value cannot be read as rows: the 0-based row and the column, when there are. */
export interface ColumnsProblem {
  readonly index: number | null;
  readonly field: string | null;
  readonly message: string;
}

const COLUMN_NAMES = new Set(['indicator', 'unit', 'period', 'value', 'target']);

function allStrings(cells: unknown): boolean {
  if (!Array.isArray(cells)) return false;
  for (const cell of cells) if (typeof cell !== 'string') return false;
  return true;
}

function allNumbersOrNull(cells: unknown): boolean {
  if (cells === undefined) return true;
  if (!Array.isArray(cells)) return false;
  for (const cell of cells) if (cell !== null && (typeof cell !== 'number' || Number.isNaN(cell))) return false;
  return true;
}

/** Whether `input` passes {@link observationColumnsSchema} (the same checks, written out). */
export function isObservationColumns(input: unknown): input is ObservationColumns {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!COLUMN_NAMES.has(key)) return false;
  return (
    allStrings(o.indicator) &&
    allStrings(o.unit) &&
    allStrings(o.period) &&
    allNumbersOrNull(o.value) &&
    allNumbersOrNull(o.target)
  );
}

/** Records as columns (see {@link observationColumnsSchema}). */
export function toObservationColumns(records: readonly ObservationRecord[]): ObservationColumns {
  return {
    indicator: records.map((r) => r.indicator),
    unit: records.map((r) => r.unit),
    period: records.map((r) => r.period),
    value: records.map((r) => r.value ?? null),
    target: records.map((r) => r.target ?? null),
  };
}

/**
 * Reads columns back as records, or says what is wrong with them, naming the row and the column:
 * a cell of the wrong type, an unknown column, or columns of different lengths.
 */
export function fromObservationColumns(input: unknown): { records: ObservationRecord[] } | { problem: ColumnsProblem } {
  // The written-out check accepts exactly what the schema accepts, at a fraction of zod's cost per
  // cell; the schema runs only on columns that fail it, for its message naming the row and column.
  const parsed = isObservationColumns(input)
    ? { success: true as const, data: input }
    : observationColumnsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [field, index] = issue.path;
    return {
      problem: {
        index: typeof index === 'number' ? index : null,
        field: typeof field === 'string' ? field : null,
        message: issue.message,
      },
    };
  }
  const c = parsed.data;
  const rows = c.indicator.length;
  for (const field of ['unit', 'period', 'value', 'target'] as const) {
    const length = c[field]?.length ?? rows;
    if (length !== rows) {
      return {
        problem: {
          index: Math.min(length, rows),
          field,
          message: `expected ${rows} cells as in indicator, got ${length}`,
        },
      };
    }
  }
  const records: ObservationRecord[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    records[i] = {
      indicator: c.indicator[i]!,
      unit: c.unit[i]!,
      period: c.period[i]!,
      value: c.value?.[i] ?? null,
      target: c.target?.[i] ?? null,
    };
  }
  return { records };
}
