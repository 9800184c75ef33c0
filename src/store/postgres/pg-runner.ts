import type { Compilable } from 'kysely';
import type pg from 'pg';
import type { SqlRunner } from '../sql-runner.ts';

/** SqlRunner over a pg pool, or over one client inside a transaction. */
export class PgRunner implements SqlRunner {
  constructor(private readonly db: pg.Pool | pg.PoolClient) {}

  async all<T>(query: Compilable): Promise<T[]> {
    const c = query.compile();
    return (await this.db.query(c.sql, c.parameters as unknown[])).rows as T[];
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (!('totalCount' in this.db)) return fn(this); // already a transaction's client
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgRunner(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
