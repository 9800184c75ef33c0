import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import type { SqliteDb } from '../../src/store/sqlite/open.ts';

/** The entries table and its indexes as migration 1 created them. */
function entriesV1Sql(): string {
  const v1 = SQLITE_MIGRATIONS[0]!.sql;
  const start = v1.indexOf('CREATE TABLE entries (');
  const end = v1.indexOf('\n', v1.indexOf('CREATE INDEX entries_retry'));
  return v1.slice(start, end);
}

/**
 * Turns a log database back into its shape before migration 9 (every entry naming its
 * operation, all of them indexed) and marks it as of that version: for tests of the migration.
 */
export function entriesBeforeSparseOperation(db: SqliteDb): void {
  const columns = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .pluck()
    .all('entries') as string[];
  db.exec(`
    ALTER TABLE entries RENAME TO entries_sparse;
    ${entriesV1Sql().replace(/CREATE INDEX (\w+)/g, 'DROP INDEX IF EXISTS $1; CREATE INDEX $1')}
    INSERT INTO entries (${columns.join(', ')})
      SELECT ${columns.map((c) => (c === 'operation_id' ? 'coalesce(operation_id, change_id)' : c)).join(', ')}
      FROM entries_sparse;
    DROP TABLE entries_sparse;
    PRAGMA user_version = 8;`);
}
