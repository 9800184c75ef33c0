import type { Compilable } from 'kysely';
import type { SqlRunner } from '../sql-runner.ts';

/** Builds the statement writing `rows` (each the values of one row, in order). */
export type RowsStatement = (rows: unknown[][]) => Compilable;
/** Compiles `build` for this many rows once (cached under `key`) and binds `values`, flattened. */
export type CompileRows = (key: string, rows: unknown[][], build: RowsStatement) => Compilable;
/** A statement with its values, ready for another connection to run. */
export interface CompiledStatement {
  sql: string;
  parameters: readonly unknown[];
}

/** Rows per multi-row statement, largest first: any count goes out in a few statements of these sizes, each compiled once. */
const SIZES = [64, 16, 4, 1];

/**
 * A transaction's runner whose row writes may wait to go out together: the inserts of a chunk
 * of an import (a user, its change event, its anchor: three statements a row) leave as a few
 * statements of 64 rows each. A write waits only until the next statement of any other kind —
 * a read, an update — or the end of the transaction (`flush`), so every statement sees what was
 * written before it and the rows of each table keep their order. A write that fails does so
 * at that flush, for the batch: the caller runs the batch again without waiting writes
 * (inbound-cycle.ts), where it fails the row that caused it.
 */
export class WriteBehindRunner implements SqlRunner {
  private readonly waiting = new Map<string, { build: RowsStatement; rows: unknown[][] }>();
  /** Whether the transaction has written anything (its own statements or waiting rows). */
  private wrote = false;

  constructor(
    private readonly runner: SqlRunner,
    private readonly compile: CompileRows,
  ) {}

  /** Queues a row for the statement `build` makes; rows of one `key` share a statement. */
  defer(key: string, row: unknown[], build: RowsStatement): void {
    let w = this.waiting.get(key);
    if (!w) this.waiting.set(key, (w = { build, rows: [] }));
    w.rows.push(row);
  }

  async all<T>(query: Compilable): Promise<T[]> {
    if (this.waiting.size) await this.flush();
    if (!this.wrote && !/^\s*select\b/i.test(query.compile().sql)) this.wrote = true;
    return this.runner.all<T>(query);
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    // Already inside the transaction this runner was made for.
    return fn(this);
  }

  /** Writes every row that waits, in the order queued for each key. */
  async flush(): Promise<void> {
    for (const statement of this.statements()) {
      this.wrote = true;
      await this.runner.all(statement);
    }
  }

  /**
   * The rows that wait, as statements taken away from this transaction for a connection of its
   * own to write after this one commits — only when the transaction wrote nothing else, so
   * that it stays whole in either; otherwise undefined (and `flush` writes them here).
   */
  takeStatements(): CompiledStatement[] | undefined {
    if (this.wrote) return undefined;
    return this.statements().map((s) => {
      const { sql, parameters } = s.compile();
      return { sql, parameters };
    });
  }

  /** The waiting rows as multi-row statements, in order; they wait no more. */
  private statements(): Compilable[] {
    const out: Compilable[] = [];
    for (const [key, { build, rows }] of this.waiting) {
      let at = 0;
      for (const size of SIZES)
        for (; rows.length - at >= size; at += size)
          out.push(this.compile(`${key}:${size}`, rows.slice(at, at + size), build));
    }
    this.waiting.clear();
    return out;
  }
}
