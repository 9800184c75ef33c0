import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeEntry } from '../../model/normalize.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import { entry } from '../../../test/helpers/entries.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

/**
 * Free text on the embedded store takes one of several paths — the word index or the entries
 * it has not reached, a few matches read by key or many found in time order, words frequent
 * among the newest entries checked one by one — and each must give the same answers.
 * 2,600 entries, newest last: "bulk" in the 2,100 oldest (more than the 2,000 read by key, and
 * none among the newest), "omega" in three, "alpha" in all, "late" in the 300 newest; the 540
 * oldest people are "Common Person", all are "Person".
 */
const ENTRIES = Array.from({ length: 2600 }, (_, i) => {
  const words = ['alpha'];
  if (i < 2100) words.push(`bulk-${i}`);
  if (i === 5 || i === 1500 || i === 2590) words.push('Omega');
  if (i >= 2300) words.push('late');
  const name = i < 540 ? `Common Person ${i}` : `Person ${i}`;
  return normalizeEntry(
    entry(`e${i}`, {
      minutes: i,
      reason: words.join(' '),
      targetIdentity: { id: `t-${i}`, displayName: name },
    }),
  );
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function answers(store: SqliteLogStore) {
  const out: Record<string, unknown> = {};
  const cases: Record<string, EntryFilter> = {
    frequent: { q: 'alpha' },
    few: { q: 'omega' },
    many: { q: 'bulk' },
    manyAndFrequent: { q: 'bulk alpha' },
    fewAndFrequent: { q: 'omega alpha' },
    recent: { q: 'late' },
    none: { q: 'nowhere' },
    windowed: { q: 'bulk', to: Date.parse(ENTRIES[1000]!.time) },
    // More identities than the identity index path takes: in the newest entries, or beyond them.
    everyone: { identity: 'person' },
    commonOld: { identity: 'common' },
    commonOldAndWord: { identity: 'common', q: 'omega' },
    // A letter or two: read among the newest entries, or through the identities' index.
    shortEveryone: { identity: 'pe' },
    shortOld: { identity: 'co' },
    shortOldAndWord: { identity: 'co', q: 'omega' },
  };
  for (const [name, filter] of Object.entries(cases)) {
    const page = await store.listEntries(filter, { limit: 3 });
    const facets = await store.facets(filter);
    out[name] = {
      first: page.items.map((e) => e.changeId),
      more: page.nextCursor !== null,
      count: Object.values(facets.status ?? {}).reduce((a, b) => a + b, 0),
    };
  }
  return out;
}

const EXPECTED = {
  frequent: { first: ['e2599', 'e2598', 'e2597'], more: true, count: 2600 },
  few: { first: ['e2590', 'e1500', 'e5'], more: false, count: 3 },
  many: { first: ['e2099', 'e2098', 'e2097'], more: true, count: 2100 },
  manyAndFrequent: { first: ['e2099', 'e2098', 'e2097'], more: true, count: 2100 },
  fewAndFrequent: { first: ['e2590', 'e1500', 'e5'], more: false, count: 3 },
  recent: { first: ['e2599', 'e2598', 'e2597'], more: true, count: 300 },
  none: { first: [], more: false, count: 0 },
  windowed: { first: ['e1000', 'e999', 'e998'], more: true, count: 1001 },
  everyone: { first: ['e2599', 'e2598', 'e2597'], more: true, count: 2600 },
  commonOld: { first: ['e539', 'e538', 'e537'], more: true, count: 540 },
  commonOldAndWord: { first: ['e5'], more: false, count: 1 },
  shortEveryone: { first: ['e2599', 'e2598', 'e2597'], more: true, count: 2600 },
  shortOld: { first: ['e539', 'e538', 'e537'], more: true, count: 540 },
  shortOldAndWord: { first: ['e5'], more: false, count: 1 },
};

const indexedThrough = (store: SqliteLogStore) =>
  Number(store.logDb.prepare("SELECT value FROM meta WHERE key = 'words_indexed'").pluck().get());

describe('free text on the embedded store', () => {
  it('answers alike from the entries not indexed yet and from the word index', async () => {
    const store = new SqliteLogStore({ file: ':memory:' });
    await store.ingest({ tasks: [], entries: ENTRIES });
    // Fewer entries than make the store index them as they come: all are read one by one.
    expect(indexedThrough(store)).toBe(0);
    expect(await answers(store)).toEqual(EXPECTED);
    store.optimize();
    expect(indexedThrough(store)).toBe(2600);
    expect(await answers(store)).toEqual(EXPECTED);
    // Half indexed, half not: the answers join the two.
    const more = Array.from({ length: 10 }, (_, i) =>
      normalizeEntry(entry(`x${i}`, { minutes: 3000 + i, reason: `omega bulk-x${i}` })),
    );
    await store.ingest({ tasks: [], entries: more });
    expect(indexedThrough(store)).toBe(2600);
    const page = await store.listEntries({ q: 'omega' }, { limit: 20 });
    expect(page.items.map((e) => e.changeId)).toEqual([
      ...more.map((e) => e.changeId).reverse(),
      'e2590',
      'e1500',
      'e5',
    ]);
    expect((await store.facets({ q: 'bulk' })).status).toEqual({ success: 2110 });
    await store.close();
  });

  it('finds an entry stored before the last matches but newer than them', async () => {
    const store = new SqliteLogStore({ file: ':memory:' });
    // Stored first, newest of all: the last stored matches alone would miss it.
    const early = normalizeEntry(entry('early', { minutes: 9999, reason: 'bulk early' }));
    await store.ingest({ tasks: [], entries: [early] });
    await store.ingest({ tasks: [], entries: ENTRIES });
    for (const indexed of [false, true]) {
      if (indexed) store.optimize();
      const page = await store.listEntries({ q: 'bulk' }, { limit: 3 });
      expect(page.items.map((e) => e.changeId)).toEqual(['early', 'e2099', 'e2098']);
      const next = await store.listEntries({ q: 'bulk' }, { limit: 3, cursor: page.nextCursor! });
      expect(next.items.map((e) => e.changeId)).toEqual(['e2097', 'e2096', 'e2095']);
    }
    await store.close();
  });

  it('indexes words on the writer thread once batches pause, the answers unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-words-'));
    dirs.push(dir);
    const store = new SqliteLogStore({
      file: join(dir, 'provlog.db'),
      secretKeyHex: '0'.repeat(64),
      writerThread: true,
    });
    await store.ingest({ tasks: [], entries: ENTRIES.slice(0, 1300) });
    await store.ingest({ tasks: [], entries: ENTRIES.slice(1300) });
    for (let i = 0; i < 100 && indexedThrough(store) < 2600; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(indexedThrough(store)).toBe(2600);
    expect(await answers(store)).toEqual(EXPECTED);
    // The words it listed (which searches look whole words up in) are the index's own.
    store.logDb.exec('CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, entries_words, row)');
    const terms = store.logDb.prepare('SELECT term FROM temp.v').pluck().all() as string[];
    expect(terms).toContain('bulk');
    expect(
      store.logDb.prepare('SELECT word FROM indexed_words ORDER BY word').pluck().all(),
    ).toEqual(terms);
    await store.close();
  });
});
