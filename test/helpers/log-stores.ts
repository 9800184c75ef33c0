import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { EntryInput } from '../../src/model/entry.ts';
import { normalizeEntry } from '../../src/model/normalize.ts';
import type { EntryFilter } from '../../src/query/entry-filter.ts';
import type { LogStore } from '../../src/store/log-store.ts';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.ts';
import { openTestPostgresStore, postgresAvailable } from './postgres.ts';

export type OpenLogStore = () => Promise<{ store: LogStore; close: () => Promise<void> }>;

/**
 * The stores a test runs against by name: SQLite in memory, and PostgreSQL in a schema of its
 * own (`prefix`) where the server answers (postgresAvailable says what is skipped, and fails
 * in CI).
 */
export async function logStores(prefix: string): Promise<Array<[string, OpenLogStore]>> {
  const stores: Array<[string, OpenLogStore]> = [
    [
      'SQLite',
      async () => {
        const store = new SqliteLogStore({ file: ':memory:' });
        return { store, close: () => store.close() };
      },
    ],
  ];
  if (await postgresAvailable())
    stores.push(['PostgreSQL', async () => openTestPostgresStore(prefix)]);
  return stores;
}

/**
 * A SQLite store in a folder of its own holding `list`, stored `batch` entries at a time
 * before the suite's tests, with every word indexed (as a store that has rested holds them:
 * free text is looked up); closed and removed after them. The store, once stored.
 */
export function restedSqliteStore(prefix: string, list: EntryInput[], batch: number) {
  let dir: string;
  let store: SqliteLogStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
    for (let i = 0; i < list.length; i += batch)
      await store.ingest({
        tasks: [],
        entries: list.slice(i, i + batch).map((e) => normalizeEntry(e)),
      });
    store.optimize();
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => store;
}

/** The change ids of the first `count` pages of `limit` (all of them by default), following the cursor. */
export async function pagedChangeIds(
  store: LogStore,
  filter: EntryFilter,
  limit: number,
  count = Infinity,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < count; i++) {
    const page = await store.listEntries(filter, { limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((e) => e.changeId));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return ids;
}
