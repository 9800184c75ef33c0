import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import { openTestPostgresStore, postgresAvailable } from '../../../test/helpers/postgres.ts';
import { entry } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import type { MigrationProgress } from '../log-store.ts';
import type { PostgresLogStore } from './postgres-log-store.ts';
import { describe, expect, it } from 'vitest';

const available = await postgresAvailable();

if (available) {
  describeLogStoreContract('PostgreSQL', async () => {
    const { store, close } = await openTestPostgresStore('provlog_test');
    store.close = close;
    return store;
  });

  const ids = async (store: PostgresLogStore, q: string) =>
    (await store.listEntries({ q }, { limit: 10 })).items.map((e) => e.changeId);

  describe('free text on PostgreSQL', () => {
    it("keeps each entry's words in an index, and reads an entry of too many words", async () => {
      const { store, close } = await openTestPostgresStore('provlog_words');
      try {
        const members = Array.from({ length: 10_001 }, (_, i) => `cn=member${i},ou=people`);
        await store.ingest({
          tasks: [],
          entries: [
            normalizeEntry(entry('w1', { reason: 'Timeout after 30s for Zoë-Smith' })),
            normalizeEntry(
              entry('w2', { minutes: 1, permissionChanges: { bound: members, unbound: [] } }),
            ),
          ],
        });
        const { rows } = await store.pool.query<{ id: string; words: string | null }>(
          'SELECT change_id AS id, words::text AS words FROM entries ORDER BY change_id',
        );
        expect(rows[0]!.words).toContain("'timeout'");
        expect(rows[0]!.words).toContain("'zoë'");
        expect(rows[0]!.words).not.toContain("'reason'"); // a JSON key, not a word
        // More than 10,000 words: none kept, and every search reads the entry itself.
        expect(rows[1]!.words).toBeNull();
        expect(await ids(store, 'timeo zoë')).toEqual(['w1']);
        expect(await ids(store, 'member10000')).toEqual(['w2']);
        expect(await ids(store, 'smith time')).toEqual(['w1']);
        expect(await ids(store, 'meout')).toEqual([]);
      } finally {
        await close();
      }
    });

    it('indexes the words of entries stored before the index was (migration 11)', async () => {
      const steps: Array<Parameters<MigrationProgress>[0]> = [];
      const first = await openTestPostgresStore('provlog_m11', undefined, (s) => steps.push(s));
      await first.store.ingest({
        tasks: [],
        entries: [normalizeEntry(entry('old', { reason: 'Throttled by the target' }))],
      });
      await first.store.pool.query(`DROP INDEX entries_words_unknown; DROP INDEX entries_words;
        ALTER TABLE entries DROP COLUMN words; DROP FUNCTION provlog_entry_words;
        DELETE FROM schema_migrations WHERE version = 11`);
      await first.store.close();
      const { store, close } = await openTestPostgresStore('provlog_m11', first.schema, (s) =>
        steps.push(s),
      );
      try {
        expect(steps.map((s) => `${s.version} ${s.done}`)).toEqual(['11 false', '11 true']);
        const { rows } = await store.pool.query<{ words: string }>(
          'SELECT words::text AS words FROM entries',
        );
        expect(rows[0]!.words).toContain("'throttled'");
        expect(await ids(store, 'thrott')).toEqual(['old']);
      } finally {
        await close();
      }
    });
  });
} else {
  describe.skip('PostgreSQL log store (no server reachable; see the message above)', () => {
    it('runs the store contract', () => {});
  });
}
