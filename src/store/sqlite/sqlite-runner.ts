import type { Compilable } from 'kysely';
import type { SqlRunner } from '../sql-runner.ts';
import type { SqliteDb } from './open.ts';
import type { WriteLock } from './write-lock.ts';
import { StatementCache } from './statement-cache.ts';

/** SqlRunner over the embedded store's connection; transactions hold the store's write lock. */
export class SqliteRunner implements SqlRunner {
  constructor(
    private readonly db: SqliteDb,
    private readonly lock: WriteLock,
    private readonly inTransaction = false,
    // Shared with the transaction runners this one creates: prepare each statement once.
    private readonly statements = new StatementCache(db),
  ) {}

  private exec<T>(query: Compilable): T[] {
    const c = query.compile();
    const stmt = this.statements.get(c.sql);
    const params = c.parameters as unknown[];
    // The values as one array: bound in order, without spreading them into arguments.
    if (stmt.reader) return stmt.all(params) as T[];
    stmt.run(params);
    return [];
  }

  async all<T>(query: Compilable): Promise<T[]> {
    // Outside a transaction, wait for any open one so nothing uncommitted is read.
    return this.inTransaction ? this.exec<T>(query) : this.lock.run(() => this.exec<T>(query));
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.lock.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteRunner(this.db, this.lock, true, this.statements));
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }
}
