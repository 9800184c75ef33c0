import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { EngineLogPipe } from './engine-log.ts';
import type { EntryInput } from '../model/entry.ts';

const now = () => Date.parse('2026-11-20T12:00:00Z');

// Records are prepared where the store says: here, or (writer thread) on the writer's thread.
describe.each([false, true])('EngineLogPipe (writer thread: %s)', (writerThread) => {
  let store: SqliteLogStore;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'provlog-engine-log-'));
    store = new SqliteLogStore({
      file: writerThread ? join(dir, 'provlog.db') : ':memory:',
      secretKeyHex: '0'.repeat(64),
      writerThread,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores batches in the order they were written, all of them by flush', async () => {
    const pipe = new EngineLogPipe(store, now);
    await pipe.write([], task('t1'));
    for (let i = 0; i < 5; i++) await pipe.write([entry(`c${i}`, { taskId: 't1', minutes: i })]);
    await pipe.write([], task('t1', { endedAt: '2026-11-20T12:10:00Z' }));
    await pipe.flush();
    const t = await store.getTask('t1');
    expect(t?.counts.processed).toBe(5);
    expect(t?.endedAt).toBe('2026-11-20T12:10:00.000Z');
    const page = await store.listEntries({ taskId: ['t1'] }, { limit: 10 });
    expect(page.items.map((e) => e.changeId)).toEqual(['c4', 'c3', 'c2', 'c1', 'c0']);
  });

  it('fails every call once a write failed, and sends nothing more', async () => {
    const pipe = new EngineLogPipe(store, now);
    const bad = { ...entry('bad'), status: 'bogus' } as unknown as EntryInput;
    await pipe.write([bad, entry('good-with-bad')]);
    await expect(pipe.flush()).rejects.toThrow(/invalid record/);
    await expect(pipe.write([entry('after')])).rejects.toThrow(/invalid record/);
    // The failure stays: a later flush reports it again.
    await expect(pipe.flush()).rejects.toThrow(/invalid record/);
    // Each record is validated on its own: the good one of the failed batch is stored.
    const stored = (await store.listEntries({}, { limit: 10 })).items.map((e) => e.changeId);
    expect(stored).toEqual(['good-with-bad']);
  });

  it('reports a failed last write on flush', async () => {
    const pipe = new EngineLogPipe(store, now);
    await pipe.write([{ ...entry('bad'), time: 'yesterday' }]);
    await expect(pipe.flush()).rejects.toThrow(/invalid record/);
  });
});

describe('EngineLogPipe batching', () => {
  let store: SqliteLogStore;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'provlog-engine-log-'));
    store = new SqliteLogStore({
      file: join(dir, 'provlog.db'),
      secretKeyHex: '0'.repeat(64),
      writerThread: true,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The store's writes, each held until the test lets it go; records how many entries each had. */
  function holdWrites() {
    const real = store.ingestPacked!;
    const sizes: number[] = [];
    const releases: Array<() => void> = [];
    (store as { ingestPacked: typeof real }).ingestPacked = async (batch) => {
      sizes.push(batch.docEnds.length);
      await new Promise<void>((r) => releases.push(r));
      return real(batch);
    };
    const releaseAll = () => releases.splice(0).forEach((r) => r());
    return { sizes, releaseAll };
  }

  it('gathers the entries added while a batch is stored into one next batch', async () => {
    const { sizes, releaseAll } = holdWrites();
    const pipe = new EngineLogPipe(store, now, { sendAt: 3, holdAt: 100, inFlight: 1 });
    for (let i = 0; i < 2; i++) await pipe.add(entry(`a${i}`, { minutes: i }));
    expect(sizes).toEqual([]);
    await pipe.add(entry('a2', { minutes: 2 }));
    expect(sizes).toEqual([3]);
    // The first batch is still being stored: these wait for the next one.
    for (let i = 0; i < 7; i++) await pipe.add(entry(`b${i}`, { minutes: 10 + i }));
    expect(sizes).toEqual([3]);
    releaseAll();
    const flushed = pipe.flush();
    await vi.waitFor(() => expect(sizes).toEqual([3, 7]), { timeout: 10_000 });
    releaseAll();
    await flushed;
    expect((await store.listEntries({}, { limit: 20 })).items).toHaveLength(10);
  });

  it('waits for the store once holdAt entries gather, and loses none', async () => {
    const { sizes, releaseAll } = holdWrites();
    const pipe = new EngineLogPipe(store, now, { sendAt: 2, holdAt: 4, inFlight: 1 });
    await pipe.add(entry('c0'));
    await pipe.add(entry('c1', { minutes: 1 }));
    for (let i = 2; i < 5; i++) await pipe.add(entry(`c${i}`, { minutes: i }));
    expect(sizes).toEqual([2]);
    // The fourth waiting entry makes the cycle wait until the first batch is stored.
    let returned = false;
    const adding = pipe.add(entry('c5', { minutes: 5 })).then(() => (returned = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(returned).toBe(false);
    releaseAll();
    await adding;
    expect(sizes).toEqual([2, 4]);
    releaseAll();
    await pipe.flush();
    const stored = (await store.listEntries({}, { limit: 20 })).items.map((e) => e.changeId);
    expect(stored.sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('keeps several batches in flight, stored in the order sent', async () => {
    const { sizes, releaseAll } = holdWrites();
    const pipe = new EngineLogPipe(store, now, { sendAt: 2, holdAt: 100, inFlight: 2 });
    for (let i = 0; i < 4; i++) await pipe.add(entry(`d${i}`, { minutes: i }));
    // Two full batches went out although neither is stored yet.
    expect(sizes).toEqual([2, 2]);
    for (let i = 4; i < 7; i++) await pipe.add(entry(`d${i}`, { minutes: i }));
    expect(sizes).toEqual([2, 2]);
    releaseAll();
    const flushed = pipe.flush();
    await vi.waitFor(() => expect(sizes).toEqual([2, 2, 3]), { timeout: 10_000 });
    releaseAll();
    await flushed;
    const stored = (await store.listEntries({}, { limit: 20 })).items.map((e) => e.changeId);
    expect(stored).toEqual(['d6', 'd5', 'd4', 'd3', 'd2', 'd1', 'd0']);
  });
});
