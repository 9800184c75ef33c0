import { describe, expect, it } from 'vitest';
import { BASE_TIME, entry } from '../../test/helpers/entries.ts';
import { logStores } from '../../test/helpers/log-stores.ts';
import { normalizeEntry } from '../model/normalize.ts';
import type { LogStore } from './log-store.ts';

/**
 * Facets for a search term that matches more identities than an id list can carry (5,000):
 * on PostgreSQL, counted through the identity index while the matches are a small share of
 * all identities, by reading the entries otherwise; on SQLite, from the identity index's keys
 * and each entry's facet combination held in memory, no entry read — the same counts each way.
 */
async function load(store: LogStore, matching: number, others: number) {
  const entries = [
    ...Array.from({ length: matching }, (_, i) =>
      entry(`m${i}`, {
        minutes: i,
        status: i % 3 === 0 ? 'failure' : 'success',
        targetIdentity: { id: `t-m${i}`, displayName: `Quillon ${i}` },
      }),
    ),
    ...Array.from({ length: others }, (_, i) =>
      entry(`o${i}`, { minutes: i, targetIdentity: { id: `t-o${i}`, displayName: `Other ${i}` } }),
    ),
  ].map((e) => normalizeEntry(e));
  for (let i = 0; i < entries.length; i += 5000)
    await store.ingest({ tasks: [], entries: entries.slice(i, i + 5000) });
}

async function expectCounts(store: LogStore, matching: number) {
  const failures = Math.ceil(matching / 3);
  const facets = await store.facets({ identity: 'QUILLON' });
  expect(facets.status).toEqual({ failure: failures, success: matching - failures });
  expect((await store.facets({ identity: 'quillon', status: ['failure'] })).status).toEqual({
    failure: failures,
  });
  // From minute 100 on, up to minute 4,000.
  const within = Array.from({ length: matching }, (_, i) => i).filter((i) => i >= 100 && i <= 4000);
  const range = { from: BASE_TIME + 100 * 60_000, to: BASE_TIME + 4000 * 60_000 };
  const failed = within.filter((i) => i % 3 === 0).length;
  expect((await store.facets({ identity: 'uillon 1', ...range })).status).toEqual({
    failure: within.filter((i) => i % 3 === 0 && String(i).startsWith('1')).length,
    success: within.filter((i) => i % 3 !== 0 && String(i).startsWith('1')).length,
  });
  expect((await store.facets({ identity: 'quillon', ...range })).status).toEqual({
    failure: failed,
    success: within.length - failed,
  });
}

const stores = await logStores('provlog_facets');

describe.each(stores)('facets over many matching identities (%s)', (_name, open) => {
  it('counts a term matching 5,200 of 47,200 identities (through the identity index)', async () => {
    const { store, close } = await open();
    try {
      await load(store, 5_200, 42_000);
      await expectCounts(store, 5_200);
      // And pages of a term 42,000 identities hold, more than are listed for a walk (10,000):
      // the walk of the time index checks them as a set.
      const newest = (from: number) => Array.from({ length: 30 }, (_, k) => `o${from - k}`);
      const first = await store.listEntries({ identity: 'OTHER' }, { limit: 30 });
      expect(first.items.map((e) => e.changeId)).toEqual(newest(41_999));
      const second = await store.listEntries(
        { identity: 'OTHER' },
        { limit: 30, cursor: first.nextCursor! },
      );
      expect(second.items.map((e) => e.changeId)).toEqual(newest(41_969));
    } finally {
      await close();
    }
  });

  it('counts a term matching 5,200 of 6,200 identities (reading the entries)', async () => {
    const { store, close } = await open();
    try {
      await load(store, 5_200, 1_000);
      await expectCounts(store, 5_200);
    } finally {
      await close();
    }
  });
});
