import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry } from '../../../test/helpers/entries.ts';
import { entriesBeforeSparseOperation } from '../../../test/helpers/sqlite-legacy.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { openSqlite } from './open.ts';
import type { MigrationProgress } from '../log-store.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const KEY = { secretKeyHex: '0'.repeat(64) };

/** A failure, its successful retry, a second failure still open, and a plain success. */
const HISTORY = [
  entry('op-1', {
    minutes: 1,
    status: 'failure',
    errorCode: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
  }),
  entry('op-1-retry', { minutes: 2, operationId: 'op-1', attempt: 2 }),
  entry('op-2', { minutes: 3, status: 'failure', errorCode: 'TooManyRequests' }),
  entry('plain', { minutes: 4 }),
].map((e) => normalizeEntry(e));

const operationColumn = (store: SqliteLogStore) =>
  store.logDb.prepare('SELECT change_id, operation_id FROM entries ORDER BY seq').all() as Array<{
    change_id: string;
    operation_id: string | null;
  }>;

describe('operation ids kept only where they are not the change id (migration 9)', () => {
  it('stores a first attempt without its operation id, and finds it by operation all the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-sparse-'));
    dirs.push(dir);
    const store = new SqliteLogStore({ file: join(dir, 'provlog.db'), ...KEY });
    await store.ingest({ tasks: [], entries: HISTORY });
    expect(operationColumn(store)).toEqual([
      { change_id: 'op-1', operation_id: null },
      { change_id: 'op-1-retry', operation_id: 'op-1' },
      { change_id: 'op-2', operation_id: null },
      { change_id: 'plain', operation_id: null },
    ]);
    const first = await store.getEntry('op-1');
    expect(first?.operationId).toBe('op-1');
    expect(first?.resolvedBy).toBe('op-1-retry');
    expect(first?.relatedAttempts.map((a) => a.changeId)).toEqual(['op-1', 'op-1-retry']);
    const byOperation = await store.listEntries({ operationId: ['op-1'] }, { limit: 10 });
    expect(byOperation.items.map((e) => e.changeId)).toEqual(['op-1-retry', 'op-1']);
    await store.close();
  });

  it('migrates a store that named every operation, keeping retries and their resolution', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-sparse-'));
    dirs.push(dir);
    const file = join(dir, 'provlog.db');
    const steps: Array<Parameters<MigrationProgress>[0]> = [];
    const onMigration: MigrationProgress = (step) => steps.push(step);
    let store = new SqliteLogStore({ file, ...KEY, onMigration });
    // A new store is created, not upgraded: nothing to report.
    expect(steps).toEqual([]);
    await store.ingest({ tasks: [], entries: HISTORY });
    const before = await store.listEntries({}, { limit: 10 });
    await store.close();

    const old = openSqlite(join(dir, 'provlog.log.db'));
    entriesBeforeSparseOperation(old);
    expect(
      old.prepare('SELECT operation_id FROM entries ORDER BY seq').pluck().all() as string[],
    ).toEqual(['op-1', 'op-1', 'op-2', 'plain']);
    old.close();

    store = new SqliteLogStore({ file, ...KEY, onMigration });
    // The upgrade says what it does before it starts, and when it is done.
    const nine = {
      store: join(dir, 'provlog.log.db'),
      version: 9,
      name: 'operation id only where it is not the change id',
    };
    const ten = { ...nine, version: 10, name: 'identity trigrams without positions' };
    const eleven = { ...nine, version: 11, name: 'words of entries for free-text search' };
    const twelve = { ...nine, version: 12, name: 'facet dimensions of each entry' };
    const thirteen = { ...nine, version: 13, name: 'words the free-text index holds' };
    const fourteen = { ...nine, version: 14, name: 'identities by their last two characters' };
    expect(steps).toEqual([
      { ...nine, done: false },
      { ...nine, done: true, seconds: expect.any(Number) },
      { ...ten, done: false },
      { ...ten, done: true, seconds: expect.any(Number) },
      { ...eleven, done: false },
      { ...eleven, done: true, seconds: expect.any(Number) },
      { ...twelve, done: false },
      { ...twelve, done: true, seconds: expect.any(Number) },
      { ...thirteen, done: false },
      { ...thirteen, done: true, seconds: expect.any(Number) },
      { ...fourteen, done: false },
      { ...fourteen, done: true, seconds: expect.any(Number) },
    ]);
    expect(operationColumn(store).map((r) => r.operation_id)).toEqual([null, 'op-1', null, null]);
    expect(await store.listEntries({}, { limit: 10 })).toEqual(before);
    // The open failure is resolved by a retry stored after the migration, the old one stays so.
    const retry = normalizeEntry(
      entry('op-2-retry', { minutes: 5, operationId: 'op-2', attempt: 2 }),
    );
    expect((await store.ingest({ tasks: [], entries: [retry] })).entries).toEqual(['accepted']);
    expect((await store.getEntry('op-2'))?.resolvedBy).toBe('op-2-retry');
    expect((await store.getEntry('op-1'))?.resolvedBy).toBe('op-1-retry');
    // And the same history again is all duplicates.
    expect((await store.ingest({ tasks: [], entries: HISTORY })).entries).toEqual(
      HISTORY.map(() => 'duplicate'),
    );
    await store.close();
  });
});
