import type { LogStore } from '../src/store/log-store.ts';
import type { EntryFilter } from '../src/query/entry-filter.ts';
import { parseEntryFilter } from '../src/query/entry-filter.ts';
import { summarize } from './stats.ts';
import { Prng } from '../src/demo/prng.ts';

export interface QueryPicks {
  names: string[];
  /** The first three letters of names, as a console sends them while a person types. */
  starts: string[];
  /** Starts of words an entry says (free text, q): of names, reasons and steps. */
  words: string[];
  taskIds: string[];
  applications: string[];
}

type Case = { name: string; filters: () => Record<string, string> };

/** First-page latency of filtered entry queries and of facets, from the API's own parser down. */
export async function queryFigures(store: LogStore, picks: QueryPicks, rng: Prng, rounds: number) {
  const pick = <T>(list: T[]): T => list[Math.floor(rng.next() * list.length)]!;
  // Cases added later draw from a generator of their own: the others' picks stay as they were.
  const own = new Prng(5);
  const ownPick = <T>(list: T[]): T => list[Math.floor(own.next() * list.length)]!;
  const statuses = ['failure', 'skipped', 'success', 'failure,pending'];
  const windows = ['24h', '7d', '30d'];
  const listCases: Case[] = [
    { name: 'window+status', filters: () => ({ window: pick(windows), status: pick(statuses) }) },
    { name: 'identity', filters: () => ({ identity: pick(picks.names) }) },
    { name: 'identity+window', filters: () => ({ identity: pick(picks.names), window: '7d' }) },
    // A letter or two: no trigram to look up, most identities hold it.
    {
      name: 'identity, 1-2 letters',
      filters: () => ({ identity: pick(['a', 'e', 'an', 'el', 'ou']) }),
    },
    {
      name: 'object type+direction+status',
      filters: () => ({ objectType: 'group', direction: 'inbound', status: 'failure' }),
    },
    { name: 'task', filters: () => ({ taskId: pick(picks.taskIds) }) },
    { name: 'task+status', filters: () => ({ taskId: pick(picks.taskIds), status: 'failure' }) },
    { name: 'application', filters: () => ({ application: pick(picks.applications) }) },
    {
      name: 'application+window+status',
      filters: () => ({ application: pick(picks.applications), window: '24h', status: 'failure' }),
    },
    { name: 'free text', filters: () => ({ q: pick(picks.words) }) },
    {
      name: 'free text, two words',
      filters: () => ({ q: `${pick(picks.words)} ${pick(picks.words)}` }),
    },
    {
      name: 'free text found nowhere',
      filters: () => ({ q: `zq${Math.floor(rng.next() * 1e6)}` }),
    },
    { name: 'unfiltered', filters: () => ({}) },
    // Three letters many identities hold ("emi", "oli"): thousands of identities, tens of
    // thousands of entries.
    { name: 'identity, 3 letters', filters: () => ({ identity: ownPick(picks.starts) }) },
    {
      name: 'identity+free text',
      filters: () => ({ identity: ownPick(picks.names), q: ownPick(picks.words) }),
    },
  ];
  const facetCases: Case[] = [
    { name: 'facets 30d', filters: () => ({ window: '30d' }) },
    { name: 'facets 7d', filters: () => ({ window: '7d' }) },
    { name: 'facets 24h+status', filters: () => ({ window: '24h', status: pick(statuses) }) },
    {
      name: 'facets application 7d',
      filters: () => ({ window: '7d', application: pick(picks.applications) }),
    },
    { name: 'facets task', filters: () => ({ taskId: pick(picks.taskIds) }) },
    { name: 'facets identity', filters: () => ({ identity: pick(picks.names) }) },
    { name: 'facets free text', filters: () => ({ q: pick(picks.words) }) },
    { name: 'facets identity, 3 letters', filters: () => ({ identity: ownPick(picks.starts) }) },
  ];
  const run = async (c: Case, fn: (f: EntryFilter) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < rounds + 3; i++) {
      const t = performance.now();
      await fn(parseEntryFilter(c.filters()));
      if (i >= 3) samples.push(performance.now() - t); // first rounds warm the caches
    }
    return summarize(samples);
  };
  const list: Record<string, ReturnType<typeof summarize>> = {};
  for (const c of listCases)
    list[c.name] = await run(c, (f) => store.listEntries(f, { limit: 50 }));
  const facets: Record<string, ReturnType<typeof summarize>> = {};
  for (const c of facetCases) facets[c.name] = await run(c, (f) => store.facets(f));
  return { firstPageMs: list, facetsMs: facets };
}
