import type { CsvRow } from './csv-source.ts';
import { rowValues } from './row-values.ts';

/**
 * CSV rows laid out for a thread hand-off: the records' lines, keys and values as flat arrays
 * (each record has one value per header column), and the rare row errors as they are, at their
 * place in the file's order. Structured clone copies arrays of strings far faster than
 * thousands of small objects.
 */
export interface PackedRows {
  /** Rows in the batch, records and row errors. */
  count: number;
  lines: number[];
  keys: string[];
  /** Record i's values are `values[i * columns … (i + 1) * columns - 1]`, in header order. */
  values: string[];
  /** Row errors with their position among the batch's rows, in order. */
  errors: Array<{ at: number; row: Extract<CsvRow, { kind: 'row_error' }> }>;
}

export class PackedRowsBuilder {
  private batch = PackedRowsBuilder.empty();

  private static empty(): PackedRows {
    return { count: 0, lines: [], keys: [], values: [], errors: [] };
  }

  constructor(private readonly headers: string[]) {}

  get count(): number {
    return this.batch.count;
  }

  push(row: CsvRow): void {
    const b = this.batch;
    if (row.kind === 'row_error') b.errors.push({ at: b.count, row });
    else {
      b.lines.push(row.line);
      b.keys.push(row.key);
      for (const h of this.headers) b.values.push(row.values[h] ?? '');
    }
    b.count++;
  }

  take(): PackedRows {
    const b = this.batch;
    this.batch = PackedRowsBuilder.empty();
    return b;
  }
}

/** The rows of a packed batch, in order, as `readRows` made them. */
export function* unpackRows(batch: PackedRows, headers: string[]): Generator<CsvRow> {
  let record = 0;
  let error = 0;
  const columns = headers.length;
  for (let i = 0; i < batch.count; i++) {
    const e = batch.errors[error];
    if (e && e.at === i) {
      error++;
      yield e.row;
      continue;
    }
    yield {
      kind: 'record',
      line: batch.lines[record]!,
      key: batch.keys[record]!,
      values: rowValues(headers, batch.values, record * columns),
    };
    record++;
  }
}
