import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './open.ts';

/**
 * Prepared statements by SQL text, bounded: queries with IN lists of varying length make new
 * texts, so an unbounded cache would grow with every list size seen.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: SqliteDb,
    private readonly max = 500,
  ) {}

  get(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= this.max) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
