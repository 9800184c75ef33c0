import { describe, expect, it } from 'vitest';
import { entry } from '../../test/helpers/entries.ts';
import { logStores, pagedChangeIds } from '../../test/helpers/log-stores.ts';
import type { EntryInput } from '../model/entry.ts';
import { normalizeEntry } from '../model/normalize.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { LogStore } from './log-store.ts';

/**
 * A page of an identity term that thousands of identities hold, with free text thousands of
 * entries say, seldom together: a walk back in time would read the whole log for it. On
 * PostgreSQL the identities' entries are taken newest first from their index and checked one
 * by one until the page is full (free text alone on the entries' words by seq, with other
 * filters on the entry); SQLite finds it its own way (identity-page.test.ts). Either way the
 * pages are the entries that hold the term and say the words (or have the change id), newest
 * first.
 */
const people: EntryInput[] = [];
// 3,000 walkers (more identities than are read one by one) and 6,000 others; 2,414 entries
// say "Zephyr" (more than are read by key), 14 of them walkers', spread over the log.
for (let i = 0; i < 9_000; i++) {
  const walker = i % 3 === 0;
  const says = walker ? i % 690 === 0 : i % 2 === 1 && i % 5 !== 0;
  people.push(
    entry(`e-${i}`, {
      // Stored in another order than their time.
      minutes: -((i * 7_919) % 9_000),
      ...(i % 4 === 0 ? { status: 'failure', errorCode: 'Timeout' } : {}),
      ...(says ? { reason: `Zephyr sync ${i}` } : {}),
      targetIdentity: {
        id: `t-${i}`,
        displayName: walker ? `Walker Person ${i}` : `Other Person ${i}`,
        type: 'User',
      },
    }),
  );
}

// A walker whose change id is two words 6,000 others say (more than are read by key).
people.push(
  entry('other-person', {
    minutes: -9_500,
    targetIdentity: { id: 't-special', displayName: 'Walker Special', type: 'User' },
  }),
);

const stores = await logStores('provlog_identity_words');

describe.each(stores)('identity term with free text, seldom together (%s)', (_name, open) => {
  /** Entries the filter selects, newest first (their times are all apart). */
  const expected = (says: (e: EntryInput) => boolean, filter: EntryFilter = {}) =>
    people
      .filter(
        (e) =>
          e.targetIdentity!.displayName!.startsWith('Walker') &&
          says(e) &&
          (!filter.status || filter.status.includes(e.status)),
      )
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
      .map((e) => e.changeId);
  const pages = (store: LogStore, filter: EntryFilter, limit: number) =>
    pagedChangeIds(store, filter, limit, 100);

  it('pages the few entries of the term that say the words, and the many', async () => {
    const { store, close } = await open();
    try {
      for (let i = 0; i < people.length; i += 3_000)
        await store.ingest({
          tasks: [],
          entries: people.slice(i, i + 3_000).map((e) => normalizeEntry(e)),
        });
      const zephyr = expected((e) => e.reason?.startsWith('Zephyr') ?? false);
      expect(zephyr).toHaveLength(14);
      expect(await pages(store, { identity: 'walker person', q: 'zephyr' }, 2)).toEqual(zephyr);
      expect(await pages(store, { identity: 'WALKER', q: 'zeph sync' }, 10)).toEqual(zephyr);
      // Every fourth entry failed with "Timeout": 750 of the walkers', in pages of 100.
      const failed = expected((e) => e.errorCode === 'Timeout');
      expect(failed).toHaveLength(750);
      expect(await pages(store, { identity: 'walker', q: 'timeout' }, 100)).toEqual(failed);
      expect(
        await pages(store, { identity: 'walker', q: 'zephyr', status: ['failure'] }, 10),
      ).toEqual(
        expected((e) => (e.reason?.startsWith('Zephyr') ?? false) && e.status === 'failure'),
      );
      // Free text that is an entry's change id finds that entry, whatever it says.
      expect(await pages(store, { identity: 'walker', q: 'other-person' }, 10)).toEqual([
        'other-person',
      ]);
    } finally {
      await close();
    }
  });
});
