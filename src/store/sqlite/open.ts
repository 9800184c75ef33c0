import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import type { MigrationProgress } from '../log-store.ts';
import { textHash } from '../text-hash.ts';
import { foldText } from '../../model/fold-text.ts';
import { entryBeginsWords, entryText } from '../entry-words.ts';

export type SqliteDb = Database.Database;

export const PAGE_SIZE = 16384;
/** WAL frames (pages) between checkpoints: 128 MiB (tuneSqlite says why). */
export const CHECKPOINT_FRAMES = 8192;
/** The hub's connection beside a log writer thread checkpoints itself later (sqlite-log-store.ts). */
export const HUB_CHECKPOINT_FRAMES = 4 * CHECKPOINT_FRAMES;

/**
 * What a connection is for, which sets its page cache: one that answers queries keeps 128 MiB,
 * one that only writes (the log's writer thread, the hub's connection beside a log file of its
 * own) 32 MiB. SQLite keeps every page it touches until its cache is full, and a writer's pages
 * are mostly new ones never read again — each 16 KiB of fresh memory is four page faults, ~10 µs
 * each on a virtual machine: a 100,000-user import took ~75,000 more faults with 128 MiB. A
 * reader's cache holds what queries read again beyond the memory map's first GiB (at 1,000,000
 * entries, a query of object type, direction and status took 44 ms at p95 with 32 MiB, 11 with
 * 128).
 */
export type ConnectionRole = 'reads' | 'writes';

export function setCacheFor(db: SqliteDb, role: ConnectionRole): void {
  db.pragma(`cache_size = ${role === 'reads' ? -131072 : -32768}`);
}

/** Opens (creating if needed) the embedded store and brings its schema up to date. */
export function openSqlite(
  file: string,
  onMigration?: MigrationProgress,
  role: ConnectionRole = 'reads',
): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  tuneSqlite(db, role);
  migrate(db, file, onMigration);
  return db;
}

/**
 * Where the log of the store at `file` lives. A file-backed store keeps its log in a file of its
 * own beside the hub's (`provlog.db` → `provlog.log.db`): SQLite admits one writer per file, and
 * with two files the log's writer and the hub's transactions run at once, on two cores. A store
 * created before the split keeps its log where it is (`hub` holds log rows already);
 * ':memory:' is one connection, so one database.
 */
export function logFileOf(file: string, hub: SqliteDb): string {
  if (file === ':memory:') return file;
  const split = file.replace(/(\.db)?$/, '.log.db');
  if (existsSync(split)) return split;
  const legacy = hub
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM entries) OR EXISTS (SELECT 1 FROM tasks)
        OR EXISTS (SELECT 1 FROM identities)`,
    )
    .pluck()
    .get();
  return legacy ? file : split;
}

/**
 * The connection settings of the store, and the functions its schema uses. The benchmark's raw
 * baseline opens its database with these too, so the comparison is of code, not of settings.
 */
export function tuneSqlite(db: SqliteDb, role: ConnectionRole = 'reads'): void {
  // 16 KiB pages (set before the first table; an existing file keeps its own): entries of a
  // kilobyte or two and a dozen indexes write about a third faster than with 4 KiB pages.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // A checkpoint copies the WAL into the database and syncs both. One per 128 MiB of WAL rather
  // than SQLite's 16 MiB (1,000 pages) copies a page that many batches changed (an index's tail)
  // once instead of eight times: a fifth more entries per second (npm run bench). The file is cut
  // back to that size after each checkpoint.
  db.pragma(`wal_autocheckpoint = ${CHECKPOINT_FRAMES}`);
  db.pragma(`journal_size_limit = ${CHECKPOINT_FRAMES * PAGE_SIZE}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  setCacheFor(db, role);
  db.pragma('temp_store = MEMORY');
  db.pragma('mmap_size = 1073741824');
  // The hash keying the identity dictionary (migration 4), the same function the writer uses.
  db.function('provlog_text_hash', { deterministic: true }, (text) => textHash(String(text)));
  // Folding as model/fold-text.ts does, for migrations that fold stored text (migration 6).
  db.function('provlog_fold_text', { deterministic: true }, (text) =>
    typeof text === 'string' ? foldText(text) : null,
  );
  // The words of an entry, for its free-text index and for the entries it has not reached.
  db.function('provlog_entry_text', { deterministic: true }, (doc, errorCode) =>
    entryText(String(doc), typeof errorCode === 'string' ? errorCode : null),
  );
  let asked = { json: '', words: [] as string[] };
  db.function('provlog_begins_words', { deterministic: true }, (doc, errorCode, json) => {
    if (json !== asked.json) asked = { json: String(json), words: JSON.parse(String(json)) };
    const code = typeof errorCode === 'string' ? errorCode : null;
    return entryBeginsWords(String(doc), code, asked.words) ? 1 : 0;
  });
}

function migrate(db: SqliteDb, file: string, onMigration?: MigrationProgress): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const report = current > 0 ? onMigration : undefined;
  for (const m of SQLITE_MIGRATIONS) {
    if (m.version <= current) continue;
    const step = { store: file, version: m.version, name: m.name };
    report?.({ ...step, done: false });
    const started = performance.now();
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    report?.({ ...step, done: true, seconds: (performance.now() - started) / 1000 });
  }
}
