import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { entriesBeforeKeys } from '../../../test/helpers/sqlite-legacy.ts';
import { generateDemoHistory } from '../../demo/demo-history.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import { textHash } from '../text-hash.ts';
import { openSqlite } from './open.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const storeFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-keys-'));
  dirs.push(dir);
  return join(dir, 'provlog.db');
};
const NOW = Date.parse('2026-11-23T10:00:00Z');
const KEY = { secretKeyHex: '0'.repeat(64) };

async function ingestDemo(store: SqliteLogStore, entries: number) {
  for (const b of generateDemoHistory({ now: NOW, entries, seed: 11, days: 5 }))
    await store.ingest({ tasks: b.tasks, entries: b.entries.map((e) => normalizeEntry(e)) });
}

/** One filter per indexed column, each naming a value a stored entry has. */
async function filtersOf(store: SqliteLogStore): Promise<EntryFilter[]> {
  const all = (await store.listEntries({}, { limit: 500 })).items;
  const failed = all.find((e) => e.status === 'failure' && e.errorCode && e.taskId)!;
  const inTask = all.find((e) => e.taskId && e.jobId && e.cycleId)!;
  const retried = all.find((e) => e.operationId !== e.changeId)!;
  return [
    { status: ['failure'] },
    { errorCode: [failed.errorCode!] },
    { taskId: [inTask.taskId!] },
    { jobId: [inTask.jobId!] },
    { cycleId: [inTask.cycleId!] },
    { changeId: [failed.changeId] },
    { operationId: [retried.operationId] },
    { sourceSystem: [failed.sourceSystem!.name] },
    { targetSystem: [failed.targetSystem!.id] },
    {
      application:
        failed.direction === 'outbound' ? failed.targetSystem!.name : failed.sourceSystem!.name,
    },
    { status: ['failure'], taskId: [failed.taskId!] },
    { status: ['success', 'failure'] },
    { taskId: ['no-such-task'] },
  ];
}

/** What the filters find: change ids in order, and their facets. */
async function answers(store: SqliteLogStore, filters: EntryFilter[]) {
  const out: unknown[] = [];
  for (const f of filters) {
    const page = await store.listEntries(f, { limit: 50 });
    out.push(
      page.items.map((e) => e.changeId),
      await store.facets(f),
    );
  }
  return out;
}

describe('entries indexed by integer keys (migration 9)', () => {
  it('answers every indexed filter alike before and after a store is migrated', async () => {
    const file = storeFile();
    let store = new SqliteLogStore({ file, ...KEY });
    await ingestDemo(store, 3000);
    const filters = await filtersOf(store);
    const before = await answers(store, filters);
    // Every filter but the unknown task finds something: the comparison is not of empty lists.
    const found = filters.map((_, i) => (before[2 * i] as string[]).length > 0);
    expect(found).toEqual(filters.map((f) => f.taskId?.[0] !== 'no-such-task'));
    const sample = (await store.listEntries({ status: ['failure'] }, { limit: 1 })).items[0]!;
    const detail = await store.getEntry(sample.changeId);
    await store.close();

    const old = openSqlite(join(file, '..', 'provlog.log.db'));
    entriesBeforeKeys(old, 8);
    expect(
      old
        .prepare("SELECT count(*) FROM pragma_table_info('entries') WHERE name = 'status_key'")
        .pluck()
        .get(),
    ).toBe(0);
    old.close();

    store = new SqliteLogStore({ file, ...KEY });
    expect(await answers(store, filters)).toEqual(before);
    expect(await store.getEntry(sample.changeId)).toEqual(detail);
    // Stored change ids are still known: the same history again is all duplicates.
    let duplicates = 0;
    for (const b of generateDemoHistory({ now: NOW, entries: 3000, seed: 11, days: 5 })) {
      const r = await store.ingest({ tasks: [], entries: b.entries.map((e) => normalizeEntry(e)) });
      expect(r.entries.filter((o) => o === 'accepted')).toEqual([]);
      duplicates += r.entries.length;
    }
    expect(duplicates).toBeGreaterThan(2500);
    await store.close();
  });

  it('tells apart two change ids that share a hash', async () => {
    const store = new SqliteLogStore({ file: storeFile(), ...KEY });
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('first', { minutes: 1 }))] });
    // Another id with the hash of 'second' (a collision, which 53 bits make rare, not impossible).
    store.logDb
      .prepare("UPDATE entries SET change_key = ?, operation_key = ? WHERE change_id = 'first'")
      .run(textHash('second'), textHash('second'));
    const r = await store.ingest({
      tasks: [],
      entries: [normalizeEntry(entry('second', { minutes: 2 }))],
    });
    expect(r.entries).toEqual(['accepted']);
    expect((await store.getEntry('second'))?.changeId).toBe('second');
    expect((await store.getEntry('second'))?.relatedAttempts.map((a) => a.changeId)).toEqual([
      'second',
    ]);
    const found = await store.listEntries({ changeId: ['second'] }, { limit: 10 });
    expect(found.items.map((e) => e.changeId)).toEqual(['second']);
    const byOperation = await store.listEntries({ operationId: ['second'] }, { limit: 10 });
    expect(byOperation.items.map((e) => e.changeId)).toEqual(['second']);
    // And 'second' again is a duplicate of itself, not of the entry sharing its hash.
    const again = await store.ingest({
      tasks: [],
      entries: [normalizeEntry(entry('second', { minutes: 2 }))],
    });
    expect(again.entries).toEqual(['duplicate']);
    await store.close();
  });

  it('keeps no key of a batch that was rolled back', async () => {
    const store = new SqliteLogStore({ file: storeFile(), ...KEY });
    const keys = () => store.logDb.prepare('SELECT count(*) FROM entry_keys').pluck().get();
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('a', { taskId: 'task-a' }))] });
    const before = keys();
    store.logDb.exec(
      "CREATE TEMP TRIGGER fail BEFORE INSERT ON entries WHEN NEW.change_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    await expect(
      store.ingest({
        tasks: [],
        entries: [
          normalizeEntry(entry('b', { taskId: 'task-b' })),
          normalizeEntry(entry('boom', { taskId: 'task-c' })),
        ],
      }),
    ).rejects.toThrow(/boom/);
    expect(keys()).toBe(before);
    store.logDb.exec('DROP TRIGGER fail');
    // The key of task-b made in the failed batch is not reused from a cache: it is made again.
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('b', { taskId: 'task-b' }))] });
    const found = await store.listEntries({ taskId: ['task-b'] }, { limit: 10 });
    expect(found.items.map((e) => e.changeId)).toEqual(['b']);
    await store.close();
  });
});
