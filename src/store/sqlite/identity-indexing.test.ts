import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { INDEXED_THROUGH } from './migrations.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

let dir: string;
let store: SqliteLogStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-idx-'));
  store = new SqliteLogStore({
    file: join(dir, 'provlog.db'),
    writerThread: true,
    // Small caps, and no pause long enough to index on its own during a test.
    identityIndexing: { whenIdleMs: 60_000, maxWaiting: 50, maxWaitingSearchIdle: 500 },
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let next = 0;
/** Stores `n` entries, each of a person never seen before. */
const newPeople = async (n: number) => {
  const batch = Array.from({ length: n }, () =>
    normalizeEntry(entry(`p${String(next++).padStart(4, '0')}`)),
  );
  await store.ingest({ tasks: [], entries: batch });
};
/** Identities stored, and those not yet in the trigram index. */
const identities = () => {
  const total = store.logDb.prepare('SELECT count(*) FROM identities').pluck().get() as number;
  const through = store.logDb.prepare(INDEXED_THROUGH).pluck().get() as number;
  const waiting = store.logDb
    .prepare('SELECT count(*) FROM identities WHERE id > ?')
    .pluck()
    .get(through) as number;
  return { total, waiting };
};
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe('trigram indexing of new identities on the writer thread', () => {
  it('lets new people wait while nobody searches, and keeps them few once people search', async () => {
    // Nobody has searched: 120 new people wait (fewer than the search-idle cap of 500).
    for (let i = 0; i < 3; i++) await newPeople(40);
    expect(identities()).toEqual({ total: 120, waiting: 120 });
    // A search still finds one of them, in the identities that wait.
    const found = await store.listEntries({ identity: 'Person p0077' }, { limit: 5 });
    expect(found.items.map((e) => e.changeId)).toEqual(['p0077']);
    // People search now: a batch that leaves more than 50 waiting has them indexed at once.
    // (The thread may have seen the search before it finished with the last batch: then it
    // indexed those 120 already, and these 60 are more than 50 again.)
    await newPeople(60);
    await until(() => identities().waiting === 0);
    expect(identities()).toEqual({ total: 180, waiting: 0 });
    // Fewer than 50 new ones wait for a pause.
    await newPeople(30);
    await new Promise((r) => setTimeout(r, 200));
    expect(identities()).toEqual({ total: 210, waiting: 30 });
    expect(
      (await store.listEntries({ identity: 'p0195' }, { limit: 5 })).items.map((e) => e.changeId),
    ).toEqual(['p0195']);
  });
});
