import { entriesV1 } from '../../src/store/sqlite/migrations.ts';
import type { SqliteDb } from '../../src/store/sqlite/open.ts';

/**
 * Turns a log database back into its shape before migration 9 (every entry naming its
 * operation, all of them indexed) and marks it as of that version: for tests of the migration.
 */
export function entriesBeforeSparseOperation(db: SqliteDb): void {
  wordsUnindexed(db);
  const columns = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .pluck()
    .all('entries') as string[];
  const v1 = entriesV1();
  // The renamed table keeps its indexes, and their names, until it is dropped.
  const indexes = v1.indexes.map((line) => line.replace(/CREATE INDEX (\w+)/, 'DROP INDEX $1; $&'));
  db.exec(`
    ALTER TABLE entries RENAME TO entries_sparse;
    ${v1.table}
    ${indexes.join('\n')}
    INSERT INTO entries (${columns.join(', ')})
      SELECT ${columns.map((c) => (c === 'operation_id' ? 'coalesce(operation_id, change_id)' : c)).join(', ')}
      FROM entries_sparse;
    DROP TABLE entries_sparse;
    PRAGMA user_version = 8;`);
}

/**
 * Undoes migrations 11 (the entries' free-text words), 12 (their facet combinations) and 13
 * (the list of indexed words), for tests of earlier migrations.
 */
export function wordsUnindexed(db: SqliteDb): void {
  db.exec(`DROP TABLE entries_words; DELETE FROM meta WHERE key = 'words_indexed';
    DROP TABLE entry_facets; DROP TABLE facet_combos; DROP TABLE indexed_words;`);
}
