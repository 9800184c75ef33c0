import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { entry, task } from '../../../test/helpers/entries.ts';
import { normalizeEntry } from '../../model/normalize.ts';
import { logFileOf, openSqlite } from './open.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { WalProgressReader } from './wal-progress.ts';
import { prepareEntry } from '../entry-codec.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-logfile-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rowCount = (store: SqliteLogStore, db: 'db' | 'logDb', table: string) =>
  store[db].prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('the log file of the embedded store', () => {
  for (const writerThread of [false, true]) {
    it(`keeps a new store's log beside the hub, in a file of its own${writerThread ? ' (writer thread)' : ''}`, async () => {
      const dir = tempDir();
      const file = join(dir, 'provlog.db');
      let store = new SqliteLogStore({ file, writerThread });
      await store.ingest({
        tasks: [task('t1')],
        entries: [normalizeEntry(entry('c1', { taskId: 't1' }))],
      });
      await store.directory.createUser({ userName: 'ada@example.com' });
      expect(existsSync(join(dir, 'provlog.log.db'))).toBe(true);
      expect(rowCount(store, 'logDb', 'entries')).toBe(1);
      expect(rowCount(store, 'db', 'entries')).toBe(0);
      expect(rowCount(store, 'db', 'tasks')).toBe(0);
      expect(rowCount(store, 'db', 'hub_users')).toBe(1);
      expect(rowCount(store, 'logDb', 'hub_users')).toBe(0);
      await store.close();

      store = new SqliteLogStore({ file, writerThread });
      expect((await store.getEntry('c1'))?.changeId).toBe('c1');
      expect((await store.getTask('t1'))?.counts.created).toBe(1);
      expect((await store.directory.listUsers({}, { limit: 10 })).items).toHaveLength(1);
      await store.close();
    });
  }

  it('leaves the log of a store written before the split where it is', async () => {
    const dir = tempDir();
    const file = join(dir, 'provlog.db');
    // One file holding the log, as stores were written before the log had a file of its own.
    const old = openSqlite(file);
    new SqliteWriter(old).ingestBatch([], [prepareEntry(normalizeEntry(entry('old-1')))]);
    old.close();
    const store = new SqliteLogStore({ file, writerThread: true });
    expect(store.logDb).toBe(store.db);
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('new-1'))] });
    const page = await store.listEntries({}, { limit: 10 });
    expect(page.items.map((e) => e.changeId).sort()).toEqual(['new-1', 'old-1']);
    await store.close();
    expect(existsSync(join(dir, 'provlog.log.db'))).toBe(false);
  });

  it('empties both WAL files on optimize(), as after a bulk load', async () => {
    const dir = tempDir();
    const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('c1'))] });
    await store.directory.createUser({ userName: 'ada@example.com' });
    const walBytes = (name: string) => statSync(join(dir, `${name}-wal`)).size;
    expect(walBytes('provlog.log.db')).toBeGreaterThan(0);
    expect(walBytes('provlog.db')).toBeGreaterThan(0);
    store.optimize();
    expect(walBytes('provlog.log.db')).toBe(0);
    expect(walBytes('provlog.db')).toBe(0);
    expect((await store.getEntry('c1'))?.changeId).toBe('c1');
    await store.close();
  });

  it('checkpoints the hub and the log from the writer thread when the log rests, not in hub commits', async () => {
    const dir = tempDir();
    const file = join(dir, 'provlog.db');
    const store = new SqliteLogStore({ file, writerThread: true });
    // The hub's own connection checkpoints only past 512 MiB of WAL.
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(32768);
    for (let i = 0; i < 300; i++)
      await store.directory.createUser({
        userName: `user${i}@example.com`,
        title: 'x'.repeat(500),
      });
    // Everything the hub wrote is still in its WAL: the database file holds none of it.
    const hubBytes = () => statSync(file).size;
    const before = hubBytes();
    const rows = () =>
      store.db.prepare("SELECT count(*) FROM hub_users WHERE user_name LIKE 'user%'").pluck().get();
    expect(rows()).toBe(300);
    // A log write, then a pause: the writer thread checkpoints both files.
    await store.ingest({ tasks: [], entries: [normalizeEntry(entry('c1'))] });
    await vi.waitFor(() => expect(hubBytes()).toBeGreaterThan(before + 150_000), {
      timeout: 10_000,
    });
    expect(rows()).toBe(300);
    // The log's WAL is copied whole too (by the writer thread's checkpointer).
    const logWal = new WalProgressReader(join(dir, 'provlog.log.db-shm'));
    await vi.waitFor(
      () => {
        const p = logWal.read();
        expect(p?.frames).toBeGreaterThan(0);
        expect(p?.backfilled).toBe(p?.frames);
      },
      { timeout: 10_000 },
    );
    logWal.close();
    await store.close();
    // Without a writer thread the hub keeps SQLite's usual limit of this store.
    const plain = new SqliteLogStore({ file: join(dir, 'plain.db') });
    expect(plain.db.pragma('wal_autocheckpoint', { simple: true })).toBe(8192);
    await plain.close();
  });

  it('names the log file after the hub file', () => {
    const dir = tempDir();
    const hub = openSqlite(join(dir, 'data.db'));
    expect(logFileOf(join(dir, 'data.db'), hub)).toBe(join(dir, 'data.log.db'));
    expect(logFileOf(join(dir, 'store'), hub)).toBe(join(dir, 'store.log.db'));
    expect(logFileOf(':memory:', hub)).toBe(':memory:');
    hub.close();
  });

  it('gives the connection that answers queries the bigger page cache, the hub beside it the smaller', async () => {
    const cache = (db: SqliteLogStore['db']) => db.pragma('cache_size', { simple: true });
    const split = new SqliteLogStore({ file: join(tempDir(), 'provlog.db') });
    expect(cache(split.logDb)).toBe(-131072);
    expect(cache(split.db)).toBe(-32768);
    await split.close();
    // One database for both: it answers queries.
    const one = new SqliteLogStore({ file: ':memory:' });
    expect(one.db).toBe(one.logDb);
    expect(cache(one.db)).toBe(-131072);
    await one.close();
  });
});
