import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entry } from '../../test/helpers/entries.ts';
import { openTestPostgresStore, postgresAvailable } from '../../test/helpers/postgres.ts';
import { normalizeEntry } from '../model/normalize.ts';
import type { LogStore, MigrationProgress } from './log-store.ts';
import { openSqlite } from './sqlite/open.ts';
import { SqliteLogStore } from './sqlite/sqlite-log-store.ts';
import { wordsUnindexed } from '../../test/helpers/sqlite-legacy.ts';

// Two reports of one person, spelled "Strauß" and "STRAUSS": one identity once folded for search.
const person = (changeId: string, name: string, minutes: number) =>
  entry(changeId, {
    minutes,
    sourceIdentity: { id: 's-1', displayName: name, type: 'User' },
    targetIdentity: { id: 't-1', displayName: name, type: 'sys_user' },
    targetSystem: { id: 'weiss-hr', name: 'Weiß HR' },
  });

async function ingestBoth(store: LogStore) {
  await store.ingest({
    tasks: [],
    entries: [person('a', 'Johann Strauß', 0), person('b', 'JOHANN STRAUSS', 1)].map((e) =>
      normalizeEntry(e),
    ),
  });
}

/** Both entries found however the name is spelled, and the system by its name spelled "ss". */
async function expectFound(store: LogStore) {
  for (const identity of ['strauß', 'STRAUSS', 'johann strauss'])
    expect(
      (await store.listEntries({ identity }, { limit: 10 })).items.map((e) => e.changeId),
    ).toEqual(['b', 'a']);
  expect((await store.listEntries({ application: 'weiss' }, { limit: 10 })).items).toHaveLength(2);
}

// What a store written before migration 8 held: entry "a"'s identity and the system's name
// folded without the sharp s becoming "ss".
const OLD_FOLD = (column: string) => `replace(${column}, 'strauss', 'strauß')`;

const withPostgres = await postgresAvailable();

describe('migration 8: search text refolded (sharp s, dotted I)', () => {
  it('refolds identities, their trigrams and system names (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-m8-'));
    try {
      const file = join(dir, 'provlog.db');
      let store = new SqliteLogStore({ file, secretKeyHex: '0'.repeat(64) });
      await ingestBoth(store);
      await store.close();
      const old = openSqlite(join(dir, 'provlog.log.db'));
      wordsUnindexed(old);
      old.exec(`INSERT INTO identities (text, hash) SELECT ${OLD_FOLD('text')}, 0 FROM identities;
        UPDATE identities SET hash = provlog_text_hash(text) WHERE hash = 0;
        UPDATE entries SET identity_id = (SELECT max(id) FROM identities) WHERE change_id = 'a';
        INSERT INTO identities_text (identities_text) VALUES ('rebuild');
        UPDATE meta SET value = (SELECT max(id) FROM identities) WHERE key = 'identities_indexed';
        UPDATE systems SET name_folded = 'weiß hr';
        PRAGMA user_version = 7;`);
      old.close();

      store = new SqliteLogStore({ file, secretKeyHex: '0'.repeat(64) });
      await expectFound(store);
      // The trigram index holds the new text, not the old.
      const match = (term: string) =>
        store.logDb
          .prepare('SELECT count(*) FROM identities_text WHERE text GLOB ?')
          .pluck()
          .get(`*${term}*`);
      expect(match('strauß')).toBe(0);
      expect(match('strauss')).toBe(2);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (withPostgres) {
    it('refolds identities, merging one that meets an existing text (PostgreSQL)', async () => {
      const steps: Array<Parameters<MigrationProgress>[0]> = [];
      const onMigration: MigrationProgress = (step) => steps.push(step);
      const first = await openTestPostgresStore('provlog_m8', undefined, onMigration);
      // A new schema is created, not upgraded: nothing to report.
      expect(steps).toEqual([]);
      await ingestBoth(first.store);
      const q = (sql: string) => first.store.pool.query(sql);
      await q(`INSERT INTO identities (text) SELECT ${OLD_FOLD('text')} FROM identities`);
      await q(
        `UPDATE entries SET identity_id = (SELECT max(id) FROM identities) WHERE change_id = 'a'`,
      );
      await q(`UPDATE systems SET name_folded = 'weiß hr'`);
      await q('DELETE FROM schema_migrations WHERE version = 8');
      const [before] = (await q('SELECT count(*)::int AS n FROM identities')).rows;
      expect(before.n).toBe(2);
      await first.store.close();

      const { store, close } = await openTestPostgresStore('provlog_m8', first.schema, onMigration);
      try {
        // The upgrade says what it does before it starts, and when it is done.
        const eight = {
          store: `PostgreSQL schema ${first.schema}`,
          version: 8,
          name: expect.any(String),
        };
        expect(steps).toEqual([
          { ...eight, done: false },
          { ...eight, done: true, seconds: expect.any(Number) },
        ]);
        await expectFound(store);
        const rows = (await store.pool.query('SELECT text FROM identities')).rows;
        expect(rows).toHaveLength(1);
        expect(rows[0].text).toContain('johann strauss');
      } finally {
        await close();
      }
    });
  }
});
