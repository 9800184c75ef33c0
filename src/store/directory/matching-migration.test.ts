import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  openTestPostgresStore,
  postgresAvailable,
  uniqueSchema,
} from '../../../test/helpers/postgres.ts';
import { SQLITE_MIGRATIONS } from '../sqlite/migrations.ts';
import { POSTGRES_MIGRATIONS } from '../postgres/migrations.ts';
import { tuneSqlite } from '../sqlite/open.ts';
import { SqliteLogStore } from '../sqlite/sqlite-log-store.ts';
import type { DirectoryStore } from './directory-store.ts';

// A user written before migration 6, whose email and employeeId must become searchable.
const doc = JSON.stringify({
  id: 'u1',
  userName: 'ada',
  email: 'ÄDA.Lovelace@Example.com',
  employeeId: 'Ｅ-１',
  displayName: 'Ada',
  active: true,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const INSERT_USER = `INSERT INTO hub_users (id, user_name, user_name_folded, search, active, doc, version, created_at, updated_at)
  VALUES ('u1', 'ada', 'ada', 'ada', 1, '${doc.replaceAll("'", "''")}', 1, 0, 0)`;

async function expectFound(directory: DirectoryStore) {
  const byEmail = await directory.usersByAttribute('email', ['äda.lovelace@example.COM']);
  expect(byEmail.map((u) => u.id)).toEqual(['u1']);
  // NFKC folds the full-width "Ｅ-１" to "e-1".
  const byId = await directory.usersByAttribute('employeeId', ['E-1']);
  expect(byId.map((u) => u.id)).toEqual(['u1']);
}

const withPostgres = await postgresAvailable();

describe('migration 6: hub users matched by email and employeeId', () => {
  it('folds the users already stored (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-m6-'));
    try {
      const file = join(dir, 'provlog.db');
      const old = new Database(file);
      tuneSqlite(old);
      old.exec(
        SQLITE_MIGRATIONS.filter((m) => m.version <= 5)
          .map((m) => m.sql)
          .join('\n'),
      );
      old.pragma('user_version = 5');
      old.exec(INSERT_USER);
      old.close();
      const store = new SqliteLogStore({ file, secretKeyHex: randomBytes(32).toString('hex') });
      await expectFound(store.directory);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (withPostgres) {
    it('folds the users already stored (PostgreSQL)', async () => {
      const schema = uniqueSchema('provlog_m6');
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`SET search_path = ${schema}, public`);
        await client.query(
          'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
        );
        for (const m of POSTGRES_MIGRATIONS.filter((x) => x.version <= 5)) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
        }
        await client.query(INSERT_USER);
      } finally {
        await client.end();
      }
      const { store, close } = await openTestPostgresStore('provlog_m6', schema);
      try {
        await expectFound(store.directory);
      } finally {
        await close();
      }
    });
  }
});
