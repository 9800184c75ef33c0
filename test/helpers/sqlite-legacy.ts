import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import type { SqliteDb } from '../../src/store/sqlite/open.ts';

/** The entries table and its indexes as migration 1 created them (text-keyed indexes). */
function textKeyedEntriesSql(): string {
  const v1 = SQLITE_MIGRATIONS[0]!.sql;
  const start = v1.indexOf('CREATE TABLE entries (');
  const end = v1.indexOf('\n', v1.indexOf('CREATE INDEX entries_retry'));
  return v1.slice(start, end);
}

/**
 * Turns a log database back into what it was before migration 9 (entries indexed by integer
 * keys) and marks it as of `version` (< 9): for tests of migrations from older stores.
 */
export function entriesBeforeKeys(db: SqliteDb, version: number): void {
  const columns = (
    db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('entries') as string[]
  ).filter((c) => !c.endsWith('_key'));
  db.exec(`
    DROP TABLE entry_keys;
    ALTER TABLE entries RENAME TO entries_keyed;
    ${textKeyedEntriesSql().replace(/CREATE INDEX (\w+)/g, 'DROP INDEX IF EXISTS $1; CREATE INDEX $1')}
    INSERT INTO entries (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM entries_keyed;
    DROP TABLE entries_keyed;
    PRAGMA user_version = ${version};`);
}
