import { describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { pagedChangeIds, restedSqliteStore } from '../../../test/helpers/log-stores.ts';
import type { EntryInput } from '../../model/entry.ts';
import { foldForSearch } from '../../model/fold-text.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import { identityText } from '../entry-columns.ts';

/**
 * A page of an identity term with free text that more entries say than are gathered as a set
 * (32,768): checked entry by entry on the identity's own entries newest first, a chunk at a
 * time until the page is full, or — past 16,384 of those entries — on the time index's. Each
 * page is checked against the entries that hold the term and say the word, in time order,
 * though they were stored in another order.
 */
describe('identity pages with free text many entries say (SQLite)', () => {
  const person = (id: string, name: string) => ({
    sourceIdentity: { id, displayName: name, type: 'User' },
    targetIdentity: { id, displayName: name, type: 'sys_user' },
  });
  const list: EntryInput[] = [];
  // 20,000 people with an entry each, and 50 groups with 400 each. Nine in ten entries failed
  // with "Timeout" (36,000: too many for a set) — in group 7, one in three.
  for (let i = 0; i < 40_000; i++) {
    const group = i % 50;
    const nth = Math.floor(i / 50);
    const says = i < 20_000 ? i % 10 !== 0 : group === 7 ? nth % 3 === 0 : nth % 10 !== 0;
    list.push(
      entry(`e-${i}`, {
        // Stored in another order than their time: a thousand at a time, oldest first within.
        minutes: -(i % 1_000) * 40 - Math.floor(i / 1_000),
        ...(says ? { status: 'failure', errorCode: 'Timeout' } : {}),
        ...(i < 20_000
          ? person(`p-${i}`, `Bulk Person ${i}`)
          : person(`g-${group}`, `Small Group ${group}`)),
      }),
    );
  }

  const store = restedSqliteStore('provlog-identity-text-', list, 5_000);

  /** The change ids of the entries holding the term and saying "timeout", newest first. */
  const expected = (filter: EntryFilter) => {
    const term = foldForSearch(filter.identity!);
    return list
      .map((e, seq) => ({ e, seq, time: Date.parse(e.time) }))
      .filter(
        ({ e }) =>
          identityText(normalizeEntry(e)).includes(term) &&
          e.errorCode === 'Timeout' &&
          (!filter.status || filter.status.includes(e.status)),
      )
      .sort((a, b) => b.time - a.time || b.seq - a.seq)
      .map(({ e }) => e.changeId);
  };
  const pages = (filter: EntryFilter, limit: number, count: number) =>
    pagedChangeIds(store(), filter, limit, count);

  it('checks the words on an identity’s entries newest first, however few of them say them', async () => {
    // One group, 400 entries, 9 in 10 saying it; group 7, one in three; groups 4 and 40–49
    // (4,400 entries), with a status filter besides.
    expect(expected({ identity: 'small group 42' })).toHaveLength(360);
    expect(await pages({ identity: 'Small Group 42', q: 'timeout' }, 50, 10)).toEqual(
      expected({ identity: 'small group 42' }),
    );
    expect(expected({ identity: 'small group 7' })).toHaveLength(133);
    expect(await pages({ identity: 'small group 7', q: 'TIMEOUT' }, 30, 10)).toEqual(
      expected({ identity: 'small group 7' }),
    );
    const fours: EntryFilter = { identity: 'small group 4', status: ['failure'] };
    expect(expected(fours)).toHaveLength(3_960);
    expect(await pages({ ...fours, q: 'time' }, 100, 5)).toEqual(expected(fours).slice(0, 500));
    expect(
      await pages({ identity: 'small group 42', q: 'timeout', status: ['success'] }, 10, 1),
    ).toEqual([]);
  });

  it('walks the time index for a term with more entries than it sorts', async () => {
    // 20,000 people: past 16,384 entries of the identity index.
    const bulk = { identity: 'bulk person' };
    expect(await pages({ ...bulk, q: 'timeout' }, 50, 3)).toEqual(expected(bulk).slice(0, 150));
    // 50 groups, 20,000 entries: guessed few from how few they are, found many as read.
    const groups = { identity: 'small group', status: ['failure' as const] };
    expect(await pages({ ...groups, q: 'timeout' }, 40, 3)).toEqual(expected(groups).slice(0, 120));
    const few = { identity: 'bulk person 1999' };
    expect(await pages({ ...few, q: 'timeout' }, 5, 5)).toEqual(expected(few));
    expect(expected(few)).toHaveLength(10);
  });
});
