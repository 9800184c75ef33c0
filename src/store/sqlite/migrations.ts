import { directoryMatchingSchema, directorySchema } from '../directory/directory-schema.ts';
import { configSchema } from '../config/config-schema.ts';
import { outboundSchema } from '../outbound/outbound-schema.ts';
import { needsRefold, refoldForSearch } from '../search-refold.ts';
import { ROLLUP_DIMENSIONS, rollupDimsSql } from '../batch-accounting.ts';

/** The last identity whose trigrams are indexed (migration 7); later ones wait for the writer. */
export const INDEXED_THROUGH =
  "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'identities_indexed'";

const rollupTable = (name: string) => `CREATE TABLE ${name} (
  bucket INTEGER NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL, action TEXT NOT NULL,
  object_type TEXT NOT NULL, skip_reason TEXT NOT NULL, error_code TEXT NOT NULL,
  source_system_id TEXT NOT NULL, target_system_id TEXT NOT NULL, job_id TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (bucket, direction, status, action, object_type, skip_reason, error_code, source_system_id, target_system_id, job_id)
) STRICT, WITHOUT ROWID;`;

const ROLLUP_DIMS = ROLLUP_DIMENSIONS.join(', ');
/**
 * Each combination of facet values entries hold (a few hundred in a log), and each entry's time
 * and combination, in seq order: what facets of free text count (migration 12, entry-facets.ts).
 */
const FACET_TABLES = `CREATE TABLE facet_combos (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL, status TEXT NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL,
  skip_reason TEXT NOT NULL, error_code TEXT NOT NULL, source_system_id TEXT NOT NULL,
  target_system_id TEXT NOT NULL, job_id TEXT NOT NULL,
  UNIQUE (${ROLLUP_DIMS})
) STRICT;
CREATE TABLE entry_facets (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  combo INTEGER NOT NULL
) STRICT;`;

/** The last entry whose words are indexed (migration 11); later ones wait for the writer. */
export const WORDS_INDEXED_THROUGH =
  "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'words_indexed'";

/** Migration 1, which migration 9 rebuilds the entries table of. */
const PROVISIONING_LOG_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

-- Systems seen in entries: lets filters match a system by id or name, and facets show names.
CREATE TABLE systems (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL
) STRICT;

CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT,
  cycle_id TEXT,
  parent_task_id TEXT,
  direction TEXT NOT NULL,
  trigger_module TEXT NOT NULL,
  trigger_module_name TEXT NOT NULL,
  trigger_method TEXT NOT NULL,
  source TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  initial INTEGER NOT NULL DEFAULT 0,
  event TEXT,
  error_code TEXT,
  reason TEXT,
  doc TEXT NOT NULL
) STRICT;
CREATE INDEX tasks_started ON tasks (started_at);
CREATE INDEX tasks_job ON tasks (job_id, started_at);
CREATE INDEX tasks_parent ON tasks (parent_task_id);

-- Derived counts per task, kept up to date at ingest (a cache of what the entries say).
-- Keyed by task id alone: entries may arrive before their task.
CREATE TABLE task_counts (
  task_id TEXT PRIMARY KEY,
  processed INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  resolved INTEGER NOT NULL DEFAULT 0,
  pending INTEGER NOT NULL DEFAULT 0,
  failed_user INTEGER NOT NULL DEFAULT 0,
  failed_group INTEGER NOT NULL DEFAULT 0,
  failed_organization INTEGER NOT NULL DEFAULT 0,
  failed_account INTEGER NOT NULL DEFAULT 0,
  failed_role INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  change_id TEXT NOT NULL UNIQUE,
  time INTEGER NOT NULL,
  task_id TEXT,
  job_id TEXT,
  cycle_id TEXT,
  operation_id TEXT NOT NULL,
  direction TEXT NOT NULL,
  status TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  skip_reason TEXT,
  error_code TEXT,
  trigger_module TEXT,
  trigger_method TEXT NOT NULL,
  source TEXT,
  source_system_id TEXT,
  target_system_id TEXT,
  -- the application of the entry: the target of outbound work, the source of inbound work
  application_id TEXT,
  -- the object's identities (source and target ids and names), see the identities table
  identity_id INTEGER NOT NULL,
  retry_at INTEGER,
  -- derived: the entry that resolved this failure (successful retry or confirmation)
  resolved_by TEXT,
  doc TEXT NOT NULL
) STRICT;
-- Every list is newest first; each index ends in time (and the implicit rowid) so a filter
-- on its leading column walks rows already in order and stops after one page.
CREATE INDEX entries_time ON entries (time);
CREATE INDEX entries_status ON entries (status, time);
CREATE INDEX entries_task ON entries (task_id, time);
CREATE INDEX entries_job ON entries (job_id, time);
CREATE INDEX entries_cycle ON entries (cycle_id, time);
CREATE INDEX entries_operation ON entries (operation_id);
CREATE INDEX entries_error ON entries (error_code, time) WHERE error_code IS NOT NULL;
CREATE INDEX entries_source_system ON entries (source_system_id, time);
CREATE INDEX entries_target_system ON entries (target_system_id, time);
CREATE INDEX entries_application ON entries (application_id, time);
CREATE INDEX entries_identity ON entries (identity_id, time);
CREATE INDEX entries_retry ON entries (retry_at) WHERE retry_at IS NOT NULL AND resolved_by IS NULL;

-- Each distinct combination of an object's ids and names, folded for case-insensitive search.
-- Thousands of objects recur across millions of entries: searching this dictionary (with a
-- trigram index for substrings) and then the entries of the matches is far cheaper than
-- indexing the text of every entry.
CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
) STRICT;
CREATE VIRTUAL TABLE identities_text USING fts5(
  text, content='identities', content_rowid='id', tokenize='trigram case_sensitive 1'
);

-- Facet counts per day and per hour, so facets over a month of millions of entries read
-- thousands of rows instead of millions. '' stands for "none" (NULLs do not unify in keys).
${rollupTable('rollup_day')}
${rollupTable('rollup_hour')}
`;

/**
 * Schema history of the embedded store, applied in order inside one transaction each.
 * Never edit a released migration: add the next one.
 */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'provisioning log',
    sql: PROVISIONING_LOG_V1,
  },
  { version: 2, name: 'hub directory', sql: directorySchema('INTEGER PRIMARY KEY') },
  { version: 3, name: 'systems and jobs', sql: configSchema('INTEGER PRIMARY KEY') },
  {
    version: 4,
    name: 'identities keyed by hash',
    // A new identity used to cost an insert into a unique index of whole texts; an index of
    // 8-byte hashes is a fraction of that (a third of an ingest's CPU went to identities).
    // Equal hashes are told apart by their text. provlog_text_hash is registered by open.ts.
    sql: `
CREATE TABLE identities_by_hash (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  hash INTEGER NOT NULL
) STRICT;
INSERT INTO identities_by_hash (id, text, hash) SELECT id, text, provlog_text_hash(text) FROM identities;
DROP TABLE identities;
ALTER TABLE identities_by_hash RENAME TO identities;
CREATE INDEX identities_hash ON identities (hash);
`,
  },
  { version: 5, name: 'outbound job state', sql: outboundSchema() },
  { version: 6, name: 'hub matching attributes', sql: directoryMatchingSchema('sqlite') },
  {
    version: 7,
    name: 'identities indexed behind the writer',
    // The trigram index may trail the dictionary by the identities of the last batches: the
    // writer indexes them when it is idle, and searches scan that short tail. Until now every
    // identity was indexed as it was written.
    sql: `INSERT OR REPLACE INTO meta (key, value)
  SELECT 'identities_indexed', CAST(coalesce(max(id), 0) AS TEXT) FROM identities;`,
  },
  {
    version: 8,
    name: 'search folding of sharp s and dotted I',
    // Identities and system names are folded for search with foldForSearch since this version.
    // The trigram index drops the old text of a refolded identity and takes the new one.
    sql: `
CREATE TEMP TABLE refold AS
  SELECT id, text AS old, ${refoldForSearch('text')} AS text FROM identities WHERE ${needsRefold('text')};
INSERT INTO identities_text (identities_text, rowid, text)
  SELECT 'delete', id, old FROM refold WHERE id <= (${INDEXED_THROUGH});
UPDATE identities SET
  text = (SELECT r.text FROM refold r WHERE r.id = identities.id),
  hash = provlog_text_hash((SELECT r.text FROM refold r WHERE r.id = identities.id))
  WHERE id IN (SELECT id FROM refold);
INSERT INTO identities_text (rowid, text) SELECT id, text FROM refold WHERE id <= (${INDEXED_THROUGH});
DROP TABLE refold;
UPDATE systems SET name_folded = ${refoldForSearch('name_folded')} WHERE ${needsRefold('name_folded')};
`,
  },
  {
    version: 9,
    name: 'operation id only where it is not the change id',
    // Most entries are first attempts, whose operation is their own change id. Indexing that
    // copy put a third index of random keys (UUIDs) on the hot path, and inserts into such an
    // index touch pages all over it: the bigger the log, the slower each batch (at 1,000,000
    // entries a raw insert ran at 9,000 rows/s with it, 16,000 without). The column now holds
    // an operation id only where it differs, and only those rows are indexed; a look-up by
    // operation asks the change id's index too (sqlite-writer.ts, log-reader.ts).
    sql: entriesWithSparseOperationSql(),
  },
  {
    version: 10,
    name: 'identity trigrams without positions',
    // A substring search needs only which identities hold every trigram of the term: SQLite
    // then checks the term against each candidate's text (GLOB, sqlite-log-store.ts). Without
    // positions (detail=none) and per-row sizes (columnsize=0) the index is 40% smaller and
    // a quarter cheaper to write, and new identities are indexed on the writer's thread.
    sql: `
DROP TABLE identities_text;
CREATE VIRTUAL TABLE identities_text USING fts5(
  text, content='identities', content_rowid='id', tokenize='trigram case_sensitive 1',
  detail=none, columnsize=0
);
INSERT INTO identities_text (rowid, text)
  SELECT id, text FROM identities WHERE id <= (${INDEXED_THROUGH});
`,
  },
  {
    version: 11,
    name: 'words of entries for free-text search',
    // Free text (q) looks words up here instead of reading every entry (entry-words.ts). The
    // text is given to the index, not kept by it (content=''): the document without its JSON
    // keys, and the error code. Entries are indexed behind the writer, when it is idle, from
    // the first one on: this migration only creates the table, and searches read the entries
    // not indexed yet one by one.
    sql: `
CREATE VIRTUAL TABLE entries_words USING fts5(
  text, content='', tokenize='unicode61 remove_diacritics 0', detail=none, columnsize=0
);
INSERT OR REPLACE INTO meta (key, value) VALUES ('words_indexed', '0');
`,
  },
  {
    version: 12,
    name: 'facet dimensions of each entry',
    // Facets of free text count entries the words index found, up to every entry of the log: read
    // row by row, an entry's whole document came with its facet values (3 s at 1,000,000
    // entries). Each entry's time and its combination of facet values (a few hundred in a log)
    // are kept here, narrow, and counted in memory (entry-facets.ts).
    sql: `
${FACET_TABLES}
INSERT INTO facet_combos (${ROLLUP_DIMS})
  SELECT DISTINCT ${rollupDimsSql('').join(', ')} FROM entries;
INSERT INTO entry_facets (seq, time, combo)
  SELECT e.seq, e.time, c.id FROM entries e JOIN facet_combos c
    ON ${rollupDimsSql('e.')
      .map((value, i) => `c.${ROLLUP_DIMENSIONS[i]} = ${value}`)
      .join(' AND ')}
  ORDER BY e.seq;
`,
  },
  {
    version: 13,
    name: 'words the free-text index holds',
    // A search word is looked up as the whole words it begins, read from this list (an OR of
    // whole words reads their lists of entries as they are; FTS5's prefix query first copies and
    // merges them, 3 to 12 times the time). The writer adds the words of what it indexes, in the
    // same transaction (sqlite-writer.ts); this takes those indexed so far from the index itself.
    sql: `
CREATE TABLE indexed_words (word TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.entries_words_terms USING fts5vocab(main, entries_words, row);
INSERT INTO indexed_words (word) SELECT term FROM temp.entries_words_terms;
DROP TABLE temp.entries_words_terms;
`,
  },
  {
    version: 14,
    name: 'identities by their last two characters',
    // A term of two characters has no trigram of its own: it is found by the trigrams it begins
    // (read from the trigram index's vocabulary by range) and, where it ends a text and begins
    // no trigram, by this index — not by reading every identity (60 ms at 380,000).
    sql: `CREATE INDEX IF NOT EXISTS identities_tail ON identities (substr(text, -2));`,
  },
];

/** The entries table of migration 1 and its index statements, one per line. */
export function entriesV1(): { table: string; indexes: string[] } {
  const v1 = PROVISIONING_LOG_V1;
  const start = v1.indexOf('CREATE TABLE entries (');
  return {
    table: v1.slice(start, v1.indexOf(') STRICT;', start) + ') STRICT;'.length),
    indexes: v1.split('\n').filter((line) => line.startsWith('CREATE INDEX entries_')),
  };
}

/**
 * Migration 9: the entries table of migration 1 with a nullable operation_id (NULL: the change
 * id itself), filled from the old one, and its indexes, the operation's now partial.
 */
function entriesWithSparseOperationSql(): string {
  const { table, indexes: v1Indexes } = entriesV1();
  const indexes = v1Indexes.map((line) =>
    line.startsWith('CREATE INDEX entries_operation ')
      ? 'CREATE INDEX entries_operation ON entries (operation_id) WHERE operation_id IS NOT NULL;'
      : line,
  );
  const columns = [...table.matchAll(/^ {2}([a-z_]+) (?:INTEGER|TEXT)/gm)].map((m) => m[1]!);
  const sparse = table.replace('operation_id TEXT NOT NULL,', 'operation_id TEXT,');
  if (sparse === table || columns.length !== 23)
    throw new Error('migration 9: unexpected entries table');
  return `
${sparse.replace('CREATE TABLE entries (', 'CREATE TABLE entries_sparse (')}
INSERT INTO entries_sparse (${columns.join(', ')})
  SELECT ${columns.map((c) => (c === 'operation_id' ? 'nullif(operation_id, change_id)' : c)).join(', ')}
  FROM entries ORDER BY seq;
DROP TABLE entries;
ALTER TABLE entries_sparse RENAME TO entries;
${indexes.join('\n')}
`;
}
