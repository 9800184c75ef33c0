import { directoryMatchingSchema, directorySchema } from '../directory/directory-schema.ts';
import { configSchema } from '../config/config-schema.ts';
import { needsRefold, refoldForSearch } from '../search-refold.ts';
import { outboundSchema } from '../outbound/outbound-schema.ts';
import { ROLLUP_DIMENSIONS, rollupDimsSql } from '../batch-accounting.ts';
import {
  INDEXED_WORD_LENGTH,
  INDEXED_WORDS_PER_ENTRY,
  NOT_TEXT_PATTERN,
  SPELLING,
} from '../entry-words.ts';

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * entry-words.ts's entryText, lower-cased as it folds, in SQL of the columns `doc` and
 * `error_code`: the document without JSON keys and escapes, and the error code, respelled —
 * with that module's own pattern and spellings.
 */
export function entryTextSql(doc = 'doc', errorCode = 'error_code'): string {
  let text = `regexp_replace(${doc}, ${literal(NOT_TEXT_PATTERN)}, ' ', 'g') || ' ' || coalesce(${errorCode}, '')`;
  for (const [from, to] of Object.entries(SPELLING))
    text = `replace(${text}, ${literal(from)}, ${literal(to)})`;
  return `replace(lower(${text}), 'ς', 'σ')`;
}

/**
 * Schema history of the PostgreSQL store; the same tables as the SQLite store (db-types.ts),
 * with PostgreSQL's types and a trigram index for identity search (pg_trgm).
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'provisioning log',
    sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE systems (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_folded TEXT NOT NULL);

CREATE TABLE tasks (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT,
  cycle_id TEXT,
  parent_task_id TEXT,
  direction TEXT NOT NULL,
  trigger_module TEXT NOT NULL,
  trigger_module_name TEXT NOT NULL,
  trigger_method TEXT NOT NULL,
  source TEXT,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  initial INTEGER NOT NULL DEFAULT 0,
  event TEXT,
  error_code TEXT,
  reason TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX tasks_started ON tasks (started_at);
CREATE INDEX tasks_job ON tasks (job_id, started_at);
CREATE INDEX tasks_parent ON tasks (parent_task_id);

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
);

CREATE TABLE identities (
  id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);
CREATE INDEX identities_trgm ON identities USING gin (text gin_trgm_ops);

CREATE TABLE entries (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  change_id TEXT NOT NULL UNIQUE,
  time BIGINT NOT NULL,
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
  application_id TEXT,
  identity_id INTEGER NOT NULL,
  retry_at BIGINT,
  resolved_by TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX entries_time ON entries (time, seq);
CREATE INDEX entries_status ON entries (status, time, seq);
CREATE INDEX entries_task ON entries (task_id, time, seq);
CREATE INDEX entries_job ON entries (job_id, time, seq);
CREATE INDEX entries_cycle ON entries (cycle_id, time, seq);
CREATE INDEX entries_operation ON entries (operation_id);
CREATE INDEX entries_error ON entries (error_code, time, seq) WHERE error_code IS NOT NULL;
CREATE INDEX entries_source_system ON entries (source_system_id, time, seq);
CREATE INDEX entries_target_system ON entries (target_system_id, time, seq);
CREATE INDEX entries_application ON entries (application_id, time, seq);
CREATE INDEX entries_identity ON entries (identity_id, time, seq);
CREATE INDEX entries_retry ON entries (retry_at) WHERE retry_at IS NOT NULL AND resolved_by IS NULL;

CREATE TABLE rollup_day (
  bucket BIGINT NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL, action TEXT NOT NULL,
  object_type TEXT NOT NULL, skip_reason TEXT NOT NULL, error_code TEXT NOT NULL,
  source_system_id TEXT NOT NULL, target_system_id TEXT NOT NULL, job_id TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (bucket, direction, status, action, object_type, skip_reason, error_code, source_system_id, target_system_id, job_id)
);
CREATE TABLE rollup_hour (LIKE rollup_day INCLUDING ALL);
`,
  },
  {
    version: 2,
    name: 'hub directory',
    sql: directorySchema('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
  },
  {
    version: 3,
    name: 'systems and jobs',
    sql: configSchema('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
  },
  // Version 4 (identities keyed by hash) is SQLite's alone: the same numbers mean the same change.
  { version: 5, name: 'outbound job state', sql: outboundSchema() },
  { version: 6, name: 'hub matching attributes', sql: directoryMatchingSchema('postgres') },
  {
    version: 8,
    name: 'search folding of sharp s and dotted I',
    // As SQLite's migration 8. Identity texts are unique here: where a refolded text exists
    // already (or two refold alike), the entries move to one identity and the others go.
    sql: `
CREATE TEMP TABLE refold ON COMMIT DROP AS
  SELECT id, ${refoldForSearch('text')} AS text FROM identities WHERE ${needsRefold('text')};
CREATE TEMP TABLE refold_keep ON COMMIT DROP AS
  SELECT r.text, coalesce((SELECT i.id FROM identities i WHERE i.text = r.text), min(r.id)) AS id
  FROM refold r GROUP BY r.text;
UPDATE entries e SET identity_id = k.id
  FROM refold r JOIN refold_keep k ON k.text = r.text
  WHERE e.identity_id = r.id AND r.id <> k.id;
DELETE FROM identities i USING refold r JOIN refold_keep k ON k.text = r.text
  WHERE i.id = r.id AND r.id <> k.id;
UPDATE identities i SET text = r.text FROM refold r JOIN refold_keep k ON k.text = r.text
  WHERE i.id = r.id AND r.id = k.id;
UPDATE systems SET name_folded = ${refoldForSearch('name_folded')} WHERE ${needsRefold('name_folded')};
`,
  },
  {
    version: 11,
    name: 'words of entries for free-text search',
    // As SQLite's migration 11, the same change: free text (q) looks words up instead of
    // reading every entry. Here each entry's words (runs of [:alnum:] of its text, which the
    // search's regular expression reads too) are a generated tsvector with a GIN index, which
    // a search asks for the start of each word before the expression checks the entries found
    // (postgres-log-store.ts). Words are cut to 64 characters; an entry of more than 10,000
    // words keeps none (NULL), and every search reads it.
    sql: `
CREATE FUNCTION provlog_entry_words(doc text, error_code text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $words$
  SELECT CASE WHEN cardinality(words) > ${INDEXED_WORDS_PER_ENTRY} THEN NULL
    ELSE array_to_tsvector(words) END
  FROM (SELECT coalesce(array_agg(DISTINCT left(w, ${INDEXED_WORD_LENGTH})), '{}') AS words
    FROM regexp_split_to_table(${entryTextSql()}, '[^[:alnum:]]+') AS w WHERE w <> '') AS split
$words$;
ALTER TABLE entries ADD COLUMN words tsvector
  GENERATED ALWAYS AS (provlog_entry_words(doc, error_code)) STORED;
CREATE INDEX entries_words ON entries USING gin (words);
CREATE INDEX entries_words_unknown ON entries (seq) WHERE words IS NULL;
`,
  },
  {
    version: 12,
    name: 'words of entries listed by the writer',
    // Migration 11's words, made by the database for each row stored, cost it ~145 µs an entry
    // (the regular expressions over the document), a third of its time for an entry. The writer lists them now (entry-words.ts, indexedWords: ~15 µs in JavaScript)
    // as SQLite reads them, and the column keeps what it is given. Rows stored before keep the
    // words PostgreSQL read, runs of [:alnum:]: a search asks the index for the start of each
    // word in [:alnum:] and checks the rest (postgres-log-store.ts), which finds them in both.
    sql: `
ALTER TABLE entries ALTER COLUMN words DROP EXPRESSION;
DROP FUNCTION provlog_entry_words(text, text);
`,
  },
  {
    version: 13,
    name: 'words and facet combinations of entries, apart from them',
    // Facets of free text counted every match's entries row, document and all (~1.7 KB): a
    // word most entries say read the whole table, 2.7 s at 1,000,000 entries. Each entry's
    // words now sit in a narrow table beside its time and its combination of facet values (a
    // few hundred in a log, as SQLite's migration 12 keeps them), where the word index is: a
    // count reads a third of the pages and no document, and a search's look-up of few
    // matches reads no entry it does not return. The writer adds the row with the entry.
    sql: `
CREATE TABLE facet_combos (
  id SERIAL PRIMARY KEY,
  direction TEXT NOT NULL, status TEXT NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL,
  skip_reason TEXT NOT NULL, error_code TEXT NOT NULL, source_system_id TEXT NOT NULL,
  target_system_id TEXT NOT NULL, job_id TEXT NOT NULL,
  UNIQUE (${ROLLUP_DIMENSIONS.join(', ')})
);
INSERT INTO facet_combos (${ROLLUP_DIMENSIONS.join(', ')})
  SELECT DISTINCT ${rollupDimsSql('').join(', ')} FROM entries ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
CREATE TABLE entry_words (
  seq BIGINT PRIMARY KEY,
  time BIGINT NOT NULL,
  combo INTEGER NOT NULL,
  words tsvector
);
INSERT INTO entry_words (seq, time, combo, words)
  SELECT e.seq, e.time, c.id, e.words FROM entries e JOIN facet_combos c
    ON ${ROLLUP_DIMENSIONS.map((d, i) => `c.${d} = ${rollupDimsSql('e.')[i]}`).join(' AND ')};
CREATE INDEX entry_words_words ON entry_words USING gin (words);
CREATE INDEX entry_words_unknown ON entry_words (seq) WHERE words IS NULL;
-- Rows arrive about in time order: a time window is a stretch of the table, which a count
-- of a window reads alone (ANDed with the words' look-up), from a summary of a few pages.
CREATE INDEX entry_words_time ON entry_words USING brin (time);
DROP INDEX entries_words_unknown;
DROP INDEX entries_words;
ALTER TABLE entries DROP COLUMN words;
`,
  },
];
