import { describeLogStoreContract } from '../../../test/helpers/store-contract.ts';
import pg from 'pg';
import {
  openTestPostgresStore,
  postgresAvailable,
  TEST_DATABASE_URL,
} from '../../../test/helpers/postgres.ts';
import { entry } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { indexedWords } from '../entry-words.ts';
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

  describe('concurrent writers on PostgreSQL', () => {
    it('a writer storing the same objects does not wait for another batch to commit', async () => {
      const a = await openTestPostgresStore('provlog_writers');
      const b = await openTestPostgresStore('provlog_writers', a.schema);
      const blocker = new pg.Client({
        connectionString: TEST_DATABASE_URL,
        options: `-c search_path=${a.schema},public`,
      });
      await blocker.connect();
      const same = {
        sourceIdentity: { id: 'u-1', displayName: 'Ada Lovelace', type: 'User' },
        targetIdentity: { id: 't-1', displayName: 'ada.lovelace', type: 'Account' },
      };
      try {
        // Both writers know the systems already: only the objects are new.
        await a.store.ingest({ tasks: [], entries: [normalizeEntry(entry('w0'))] });
        await b.store.ingest({ tasks: [], entries: [normalizeEntry(entry('w1'))] });
        // An uncommitted row of change id a1: the first writer's batch waits on it, in the
        // middle of its transaction.
        await blocker.query('BEGIN');
        await blocker.query(`INSERT INTO entries (change_id, time, operation_id, direction, status,
            action, object_type, trigger_method, identity_id, doc)
          VALUES ('a1', 0, 'a1', 'inbound', 'success', 'create', 'user', 'manual', 0, '{}')`);
        let firstDone = false;
        const first = a.store
          .ingest({ tasks: [], entries: [normalizeEntry(entry('a1', same))] })
          .then((r) => ((firstDone = true), r));
        // Until the first writer waits for that row (its identities are written by then).
        const { rows: me } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const waiting = async () =>
          (
            await blocker.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
              [me[0]!.pid],
            )
          ).rows[0]!.n;
        for (let i = 0; i < 200 && (await waiting()) === 0; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(await waiting()).toBe(1);
        // Another process stores the same objects meanwhile: it waits for nothing of the first.
        let timer: NodeJS.Timeout | undefined;
        const second = await Promise.race([
          b.store.ingest({
            tasks: [],
            entries: [normalizeEntry(entry('b1', { ...same, minutes: 1 }))],
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error('the second writer waits for the first')),
              10_000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        expect(second.entries).toEqual(['accepted']);
        expect(firstDone).toBe(false);
        await blocker.query('ROLLBACK');
        expect((await first).entries).toEqual(['accepted']);
        const found = await b.store.listEntries({ identity: 'lovelace' }, { limit: 10 });
        expect(found.items.map((e) => e.changeId)).toEqual(['b1', 'a1']);
      } finally {
        await blocker.end();
        await b.store.close();
        await a.close();
      }
    });
  });

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
          `SELECT change_id AS id, words::text AS words FROM entries JOIN entry_words USING (seq)
            ORDER BY change_id`,
        );
        expect(rows[0]!.words).toContain("'timeout'");
        expect(rows[0]!.words).toContain("'zoë'");
        expect(rows[0]!.words).not.toContain("'reason'"); // a JSON key, not a word
        // The words the writer listed, as SQLite's index reads them (entry-words.ts).
        const listed = await store.pool.query<{ doc: string; code: string | null; w: string[] }>(
          `SELECT doc, error_code AS code, tsvector_to_array(words) AS w
            FROM entries JOIN entry_words USING (seq) WHERE change_id = 'w1'`,
        );
        const [w1] = listed.rows;
        expect([...w1!.w].sort()).toEqual(indexedWords(w1!.doc, w1!.code)!.sort());
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

    it('checks a word most entries say on what the other words find', async () => {
      const { store, close } = await openTestPostgresStore('provlog_common');
      try {
        const list = Array.from({ length: 500 }, (_, i) =>
          normalizeEntry(
            entry(`c${i}`, {
              minutes: i,
              status: i % 2 ? 'success' : 'failure',
              ...(i % 2 ? {} : { errorCode: 'Timeout' }),
              reason: [i % 5 ? 'Everywhere' : 'Elsewhere', i % 10 < 3 ? 'rarely' : 'often'].join(
                ' ',
              ),
            }),
          ),
        );
        await store.ingest({ tasks: [], entries: list });
        await store.pool.query('ANALYZE entry_words');
        // The statistics know the word: the query takes the path under test.
        const { rows } = await store.pool.query<{ f: number }>(
          `SELECT most_common_elem_freqs[array_position(most_common_elems::text::text[], 'everywhere')] AS f
            FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'entry_words'
              AND attname = 'words'`,
        );
        expect(rows[0]!.f).toBeGreaterThan(0.2);
        const expected = list
          .filter((e, i) => i % 5 !== 0 && i % 10 < 3)
          .map((e) => e.changeId)
          .reverse();
        expect(expected.length).toBe(100);
        const all = async (q: string) =>
          (await store.listEntries({ q }, { limit: 200 })).items.map((e) => e.changeId);
        expect(await all('rare everyw')).toEqual(expected);
        expect(await all('everyw rarel')).toEqual(expected);
        const facets = await store.facets({ q: 'rare everyw' });
        expect(facets.status).toEqual({ success: 50, failure: 50 });
      } finally {
        await close();
      }
    });

    it('indexes the words of entries stored before the index was (migrations 11 to 13)', async () => {
      const steps: Array<Parameters<MigrationProgress>[0]> = [];
      const first = await openTestPostgresStore('provlog_m11', undefined, (s) => steps.push(s));
      await first.store.ingest({
        tasks: [],
        entries: [
          normalizeEntry(entry('old', { reason: 'Throttled by the target' })),
          normalizeEntry(
            entry('old2', {
              minutes: 1,
              status: 'failure',
              errorCode: 'Timeout',
              reason: 'Throttled',
            }),
          ),
          normalizeEntry(entry('calm', { minutes: 2, reason: 'Created quietly' })),
        ],
      });
      // The store as version 10 left it: no words, no function, no facet combinations.
      await first.store.pool.query(`DROP TABLE entry_words; DROP TABLE facet_combos;
        DELETE FROM schema_migrations WHERE version IN (11, 12, 13)`);
      await first.store.close();
      const { store, close } = await openTestPostgresStore('provlog_m11', first.schema, (s) =>
        steps.push(s),
      );
      try {
        expect(steps.map((s) => `${s.version} ${s.done}`)).toEqual([
          '11 false',
          '11 true',
          '12 false',
          '12 true',
          '13 false',
          '13 true',
        ]);
        const { rows } = await store.pool.query<{ words: string }>(
          "SELECT words::text AS words FROM entry_words JOIN entries USING (seq) WHERE change_id = 'old'",
        );
        expect(rows[0]!.words).toContain("'throttled'");
        expect(await ids(store, 'thrott')).toEqual(['old2', 'old']);
        // Each entry's combination of facet values, counted without reading the entries.
        expect((await store.facets({ q: 'thrott' })).status).toEqual({ success: 1, failure: 1 });
        expect((await store.facets({ q: 'thrott', status: ['failure'] })).errorCode).toEqual({
          Timeout: 1,
        });
        // What the writer adds after the upgrade: words and a combination the migration made.
        await store.ingest({
          tasks: [],
          entries: [normalizeEntry(entry('new', { minutes: 5, reason: 'Throttled again' }))],
        });
        expect(await ids(store, 'thrott')).toEqual(['new', 'old2', 'old']);
        expect(await ids(store, 'again thrott')).toEqual(['new']);
        expect((await store.facets({ q: 'thrott' })).status).toEqual({ success: 2, failure: 1 });
        const left = await store.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'entries' AND column_name = 'words'`,
          [first.schema],
        );
        expect(left.rows[0]!.n).toBe(0);
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
