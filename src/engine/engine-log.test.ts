import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('fails the next call after a failed write, and sends nothing more', async () => {
    const pipe = new EngineLogPipe(store, now);
    const bad = { ...entry('bad'), status: 'bogus' } as unknown as EntryInput;
    await pipe.write([bad, entry('good-with-bad')]);
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
