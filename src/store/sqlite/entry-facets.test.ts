import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoHistory } from '../../demo/demo-history.ts';
import { validateEntry, validateTask } from '../../model/validate-ingest.ts';
import type { Entry } from '../../model/entry.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import type { TaskInput } from '../../model/task.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import type { Facets } from '../log-store.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

/**
 * Facets of free text are counted from each entry's facet combination kept beside the log
 * (migration 12, entry-facets.ts), not from the entries' rows. Whatever the filter, they must
 * equal the facets of the entries a listing of the same filter returns.
 */
const NOW = Date.parse('2026-11-20T12:00:00Z');
const tasks: TaskInput[] = [];
const entries: Entry[] = [];
for (const batch of generateDemoHistory({ now: NOW, entries: 3000, seed: 5, days: 3 })) {
  tasks.push(...batch.tasks.filter((t) => validateTask(t, NOW).length === 0));
  entries.push(
    ...batch.entries
      .filter((e) => validateEntry(e, NOW).length === 0)
      .map((e) => normalizeEntry(e)),
  );
}

/** The facets of a list of entries, counted one by one. */
function facetsOf(list: Entry[]): Facets {
  const facets: Facets = {};
  const fields = {
    direction: (e: Entry) => e.direction,
    status: (e: Entry) => e.status,
    action: (e: Entry) => e.action,
    objectType: (e: Entry) => e.objectType,
    skipReason: (e: Entry) => e.skipReason,
    errorCode: (e: Entry) => e.errorCode,
    sourceSystem: (e: Entry) => e.sourceSystem?.name,
    targetSystem: (e: Entry) => e.targetSystem?.name,
    jobId: (e: Entry) => e.jobId,
  };
  for (const [field, value] of Object.entries(fields)) {
    const bucket: Record<string, number> = {};
    for (const e of list) {
      const v = value(e);
      if (v) bucket[v] = (bucket[v] ?? 0) + 1;
    }
    facets[field] = bucket;
  }
  return facets;
}

async function listAll(store: SqliteLogStore, filter: EntryFilter): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listEntries(filter, { limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const times = entries.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
const failed = entries.find((e) => e.status === 'failure')!;
const app = entries.find((e) => e.direction === 'outbound')!.targetSystem!.name;
const FILTERS: Record<string, EntryFilter> = {
  'a word most entries say': { q: 'provision' },
  'a word start': { q: 'thrott' },
  'two words': { q: 'user match' },
  'a window': { q: 'user', from: times[500]!, to: times[2000]! },
  'status and object type': { q: 'user', status: ['failure', 'skipped'], objectType: ['user'] },
  application: { q: 'user', application: app.slice(1, 5).toLowerCase() },
  'a target system by name': { q: 'user', targetSystem: [app] },
  'error code and direction': {
    q: 'user',
    errorCode: [failed.errorCode!],
    direction: [failed.direction],
  },
  'a change id': { q: failed.changeId },
  'found nowhere': { q: 'zqxv' },
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('facets of free text (SQLite)', () => {
  let store: SqliteLogStore;
  beforeAll(async () => {
    store = new SqliteLogStore({ file: ':memory:' });
    await store.ingest({ tasks, entries });
  });
  afterAll(() => store.close());

  it.each(Object.keys(FILTERS))('equal the facets of the entries listed: %s', async (name) => {
    const filter = FILTERS[name]!;
    const listed = await listAll(store, filter);
    if (name !== 'found nowhere') expect(listed.length).toBeGreaterThan(0);
    // The words not indexed yet (read one by one), then indexed: the same counts.
    expect(await store.facets(filter)).toEqual(facetsOf(listed));
    store.optimize();
    expect(await store.facets(filter)).toEqual(facetsOf(listed));
  });

  it('count entries stored after an earlier count, or after a warm-up', async () => {
    await store.warmUp();
    const before = await store.facets({ q: 'provision' });
    const more = entries.slice(0, 40).map((e, i) => ({ ...e, changeId: `later-${i}` }));
    await store.ingest({ tasks: [], entries: more });
    const after = await store.facets({ q: 'provision' });
    const listed = await listAll(store, { q: 'provision' });
    const added = listed.filter((e) => e.changeId.startsWith('later-')).length;
    const total = (f: Facets) => Object.values(f.status!).reduce((a, b) => a + b, 0);
    expect(added).toBeGreaterThan(0);
    expect(total(after)).toBe(total(before) + added);
    expect(after).toEqual(facetsOf(listed));
  });
});

describe('migrations 12 and 13', () => {
  it('keep the facet combination of every entry, and the words indexed, of an older store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-m12-'));
    dirs.push(dir);
    const file = join(dir, 'provlog.db');
    const opts = { file, secretKeyHex: '1'.repeat(64) };
    let store = new SqliteLogStore(opts);
    await store.ingest({ tasks, entries });
    const expected = facetsOf(await listAll(store, { q: 'user' }));
    await store.close(); // which indexes the words of every entry
    // As a version-11 store left it: no facet tables, no list of indexed words.
    const old = new Database(join(dir, 'provlog.log.db'));
    const terms = () =>
      old
        .exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, entries_words, row)')
        .prepare('SELECT term FROM temp.v ORDER BY term')
        .pluck()
        .all() as string[];
    const indexed = terms();
    expect(indexed.length).toBeGreaterThan(1000);
    expect(old.prepare('SELECT word FROM indexed_words ORDER BY word').pluck().all()).toEqual(
      indexed,
    );
    old.exec(`DROP TABLE entry_facets; DROP TABLE facet_combos; DROP TABLE indexed_words;
      PRAGMA user_version = 11;`);
    old.close();
    store = new SqliteLogStore(opts);
    expect(store.logDb.prepare('SELECT count(*) FROM entry_facets').pluck().get()).toBe(
      entries.length,
    );
    expect(
      store.logDb.prepare('SELECT word FROM indexed_words ORDER BY word').pluck().all(),
    ).toEqual(indexed);
    expect(await store.facets({ q: 'user' })).toEqual(expected);
    await store.close();
  });
});
