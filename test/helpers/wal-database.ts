import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * WAL databases for tests of checkpointing: 4 KiB pages, never checkpointed by the connection
 * itself. `removeWalDatabases` deletes those made so far.
 */
const dirs: string[] = [];

export function walDatabase(): { file: string; db: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-wal-'));
  dirs.push(dir);
  const file = join(dir, 'w.db');
  const db = new Database(file);
  db.pragma('page_size = 4096');
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x TEXT)');
  return { file, db };
}

/** Commits `rows` rows in one transaction, a page each (3,000 characters: one fits a page). */
export function fill(db: Database.Database, rows: number): void {
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`${i}`.padEnd(3000, 'x'));
  })();
}

export function removeWalDatabases(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
