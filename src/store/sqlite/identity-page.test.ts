import { describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { pagedChangeIds, restedSqliteStore } from '../../../test/helpers/log-stores.ts';
import type { EntryInput } from '../../model/entry.ts';
import { foldForSearch } from '../../model/fold-text.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import { identityText } from '../entry-columns.ts';

/**
 * A page of an identity term of three characters or more (SQLite's identityPage): read by the
 * identity index up to a cap of entries, by the time index beyond it, the identities found by
 * their trigrams and only the page's checked. Each way is checked against the entries that
 * hold the term, in order, as the store numbered them.
 */
describe('identity pages (SQLite)', () => {
  const person = (id: string, name: string) => ({
    sourceIdentity: { id, displayName: name, type: 'User' },
    targetIdentity: { id, displayName: name, type: 'sys_user' },
  });
  const list: EntryInput[] = [];
  // 9,000 people with an entry each: more than the identity index takes (8,192) — and so many
  // that the look-up's guess sends them to the time index at once. Half of them failed.
  for (let i = 0; i < 9_000; i++)
    list.push(
      entry(`dense-${i}`, {
        minutes: -2 * i,
        ...(i % 2 ? { status: 'failure', errorCode: 'Timeout' } : {}),
        ...person(`d-${i}`, `Dense Person ${i}`),
      }),
    );
  // 60 groups with 150 entries each: few identities, so the identity index is tried, and its
  // entries pass the cap as they are read.
  for (let i = 0; i < 9_000; i++)
    list.push(
      entry(`heavy-${i}`, {
        minutes: -2 * i - 1,
        ...person(`g-${i % 60}`, `Heavy Group ${i % 60}`),
      }),
    );
  // 40 people spread over a month: a page from the identity index.
  for (let i = 0; i < 40; i++)
    list.push(
      entry(`rare-${i}`, {
        minutes: -1_000 * i - 7,
        ...(i % 4 === 0 ? { status: 'skipped', skipReason: 'no_change' } : {}),
        ...person(`r-${i}`, `Rare Person ${i}`),
      }),
    );
  // The newest 40 hold every trigram of "anna" ("ann", "nna") but not "anna": more than a
  // page's margin of candidates that are not matches, before 30 that are.
  for (let i = 0; i < 40; i++)
    list.push(entry(`xann-${i}`, { minutes: 100 + i, ...person(`x-${i}`, `Xann Nnay ${i}`) }));
  for (let i = 0; i < 30; i++)
    list.push(entry(`joanna-${i}`, { minutes: -30 * i - 3, ...person(`j-${i}`, `Joanna ${i}`) }));
  // Characters FTS5 queries give meaning to, in a name.
  list.push(entry('quote', { minutes: 5, ...person('q-1', 'Ad"am *Star (NEAR)') }));

  const byId = new Map(list.map((e) => [e.changeId, e]));

  const store = restedSqliteStore('provlog-identity-page-', list, 2_000);

  /** The change ids of the entries `filter` selects, newest first (then last stored first). */
  const expected = (filter: EntryFilter) => {
    const term = foldForSearch(filter.identity!);
    return list
      .map((e, seq) => ({ e, seq, time: Date.parse(e.time) }))
      .filter(
        ({ e, time }) =>
          identityText(normalizeEntry(e)).includes(term) &&
          (!filter.status || filter.status.includes(e.status)) &&
          (filter.from === undefined || time >= filter.from),
      )
      .sort((a, b) => b.time - a.time || b.seq - a.seq)
      .map(({ e }) => e.changeId);
  };
  const pages = (filter: EntryFilter, limit: number, count: number) =>
    pagedChangeIds(store(), filter, limit, count);

  it('pages a term thousands of people hold by the time index, with and without filters', async () => {
    const dense = { identity: 'dense person' };
    expect(await pages(dense, 50, 3)).toEqual(expected(dense).slice(0, 150));
    const failed: EntryFilter = { identity: 'DENSE', status: ['failure'] };
    expect(await pages(failed, 40, 2)).toEqual(expected(failed).slice(0, 80));
  });

  it('pages a term few identities hold with many entries, past the identity index cap', async () => {
    const heavy = { identity: 'heavy group' };
    expect(await pages(heavy, 50, 3)).toEqual(expected(heavy).slice(0, 150));
    const one = { identity: 'heavy group 17' };
    expect(await pages(one, 60, 4)).toEqual(expected(one));
    expect(expected(one)).toHaveLength(150);
  });

  it('reads a window of a common term, and a rare term, by the identity index', async () => {
    const recent: EntryFilter = {
      identity: 'heavy',
      from: Date.parse(list[0]!.time) - 3_000 * 60_000,
    };
    expect(expected(recent)).toHaveLength(1_500);
    expect(await pages(recent, 500, 4)).toEqual(expected(recent));
    const rare = { identity: 'rare person' };
    expect(await pages(rare, 7, 10)).toEqual(expected(rare));
    const kept: EntryFilter = { identity: 'rare', status: ['skipped'] };
    expect(await pages(kept, 3, 10)).toEqual(expected(kept));
    expect(expected(kept)).toHaveLength(10);
  });

  it('keeps only identities that hold the term, not just its trigrams', async () => {
    const anna = { identity: 'anna' };
    expect(expected(anna)).toHaveLength(30);
    expect(await pages(anna, 20, 3)).toEqual(expected(anna));
    expect(await pages({ identity: 'Xann Nna' }, 25, 3)).toEqual(
      expected({ identity: 'xann nna' }),
    );
    expect(await pages({ identity: 'ann nnay 3' }, 5, 1)).toEqual([
      'xann-39',
      'xann-38',
      'xann-37',
      'xann-36',
      'xann-35',
    ]);
  });

  it('pages an identity term with free text, whichever of the two is rarer', async () => {
    // Every entry says "ServiceNow" (its target system), 18,111 of them: a set of keys the
    // identity index's are checked against (identity-text-page.test.ts has more).
    expect(await pages({ identity: 'rare person', q: 'servicenow' }, 7, 10)).toEqual(
      expected({ identity: 'rare person' }),
    );
    // 9,000 entries say "heavy"; "heavy group 1" is 11 groups, 1,650 entries.
    expect(await pages({ identity: 'heavy group 1', q: 'HEAVY' }, 100, 20)).toEqual(
      expected({ identity: 'heavy group 1' }),
    );
    // Of 1,111 people ("dense person 1…"), the half that failed say "Timeout".
    const some = { identity: 'dense person 1', status: ['failure' as const] };
    expect(expected(some)).toHaveLength(556);
    expect(await pages({ identity: 'dense person 1', q: 'timeout' }, 100, 6)).toEqual(
      expected(some),
    );
    // 4,500 failures say "Timeout", of 9,000 people: past the identity index's cap, the time
    // index walked with the set.
    expect(await pages({ identity: 'dense person', q: 'timeout' }, 50, 2)).toEqual(
      expected({ identity: 'dense person', status: ['failure'] }).slice(0, 100),
    );
    // 30 entries say "Joanna": those, read by key, whose identity holds "anna".
    expect(await pages({ identity: 'anna', q: 'joanna' }, 8, 5)).toEqual(
      expected({ identity: 'anna' }),
    );
    expect(await pages({ identity: 'person', q: 'zzzq' }, 10, 1)).toEqual([]);
    expect(await pages({ identity: 'person', q: 'joanna' }, 10, 1)).toEqual([]);
  });

  it('counts facets of a term from its entries, or as all entries but the others', async () => {
    // "person" and "e" are held by most identities ("e" is a letter: no trigram to look up),
    // "heavy" and "xann" by few; with a range and a status, and without.
    const from = Date.parse(list[0]!.time) - 5_000 * 60_000;
    const to = Date.parse(list[0]!.time) - 1_000 * 60_000;
    for (const identity of ['person', 'e', 'heavy group 1', 'xann', 'ANN'])
      for (const filter of [
        { identity },
        { identity, from, to },
        { identity, from, status: ['failure' as const] },
      ]) {
        const facets = await store().facets(filter);
        const counts: Record<string, number> = {};
        for (const id of expected(filter).filter(
          (id) => filter.to === undefined || Date.parse(byId.get(id)!.time) <= filter.to,
        ))
          counts[byId.get(id)!.status] = (counts[byId.get(id)!.status] ?? 0) + 1;
        expect(facets.status, JSON.stringify(filter)).toEqual(counts);
      }
  });

  it('takes quotes, stars and parentheses in a term as characters', async () => {
    for (const identity of ['d"am', 'm *star (near)', '"am *', 'ar (n'])
      expect(await pages({ identity }, 10, 1)).toEqual(['quote']);
    expect(await pages({ identity: 'am" OR "dense' }, 10, 1)).toEqual([]);
  });
});
