import type { Compilable } from 'kysely';

/** Runs compiled queries, inside a transaction when asked: what a store needs from its driver. */
export interface SqlRunner {
  all<T>(query: Compilable): Promise<T[]>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}
