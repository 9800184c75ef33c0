import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, task } from '../../test/helpers/entries.ts';
import { BodyError } from './parse-body.ts';
import { PreparePool } from './prepare-pool.ts';
import { prepareBody } from './prepare-records.ts';
import { isPacked, unpackBatch } from './packed-batch.ts';
import { storePrepared } from './ingest-records.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import type { LogStore } from '../store/log-store.ts';

const NOW = Date.parse('2026-11-21T00:00:00Z');
const pools: PreparePool[] = [];
/** A pool that sends every batch, however small, to its worker. */
const workerPool = () => {
  const pool = new PreparePool(1, 0);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

const ndjson = [
  JSON.stringify({ kind: 'task', ...task('t1') }),
  JSON.stringify({ kind: 'entry', ...entry('c1', { taskId: 't1' }) }),
  JSON.stringify({ kind: 'entry', ...entry('c2', { status: 'bogus' as 'success' }) }),
  JSON.stringify({ kind: 'other' }),
  JSON.stringify({
    kind: 'entry',
    ...entry('c3', {
      request: { method: 'POST', url: 'https://x/Users', body: { password: 'hunter2' } },
    }),
  }),
].join('\n');

/** What the pool prepares, rebuilt into entries where a worker left it packed. */
const prepared = async (pool: PreparePool, format: 'json' | 'ndjson', body: string) => {
  const batch = await pool.prepareBody(format, body, NOW);
  return isPacked(batch) ? unpackBatch(batch) : batch;
};

describe('preparing ingest batches on a worker thread', () => {
  it('gives exactly what preparing in place gives, secrets redacted', async () => {
    const inPlace = prepareBody('ndjson', ndjson, NOW);
    const onWorker = await prepared(workerPool(), 'ndjson', ndjson);
    expect(onWorker).toEqual(inPlace);
    expect(onWorker.tasks.map((t) => t.id)).toEqual(['t1']);
    expect(onWorker.entries.map((e) => e.head.changeId)).toEqual(['c1', 'c3']);
    expect(onWorker.rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(onWorker.entries[1]!.doc).not.toContain('hunter2');
  });

  it('prepares JSON bodies the same way', async () => {
    const pool = workerPool();
    const json = JSON.stringify({ tasks: [task('t1')], entries: [entry('c1')] });
    expect(await prepared(pool, 'json', json)).toEqual(prepareBody('json', json, NOW));
  });

  it('refuses a malformed body whole with a BodyError that says so', async () => {
    const pool = workerPool();
    const err = await pool.prepareBody('ndjson', '{"kind":"entry"}\n{oops', NOW).catch((e) => e);
    expect(err).toBeInstanceOf(BodyError);
    expect(err).toMatchObject({ malformed: true, errors: [{ field: 'line 2' }] });
    const shape = await pool.prepareBody('json', '[1,2]', NOW).catch((e) => e);
    expect(shape).toMatchObject({ malformed: false, errors: [{ field: '/' }] });
    // The worker is still there for the next batch.
    expect((await prepared(pool, 'ndjson', ndjson)).entries).toHaveLength(2);
  });

  it('keeps order across many batches in flight', async () => {
    const pool = workerPool();
    const bodies = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ kind: 'entry', ...entry(`c${i}`) }),
    );
    const out = await Promise.all(bodies.map((b) => prepared(pool, 'ndjson', b)));
    expect(out.map((b) => b.entries[0]!.head.changeId)).toEqual(bodies.map((_, i) => `c${i}`));
  });

  it('prepares in place when it has no workers, and refuses work once closed', async () => {
    const none = new PreparePool(0);
    expect((await prepared(none, 'ndjson', ndjson)).entries).toHaveLength(2);
    const pool = workerPool();
    await pool.close();
    await expect(pool.prepareBody('ndjson', ndjson, NOW)).rejects.toThrow(/closed/);
  });
});

describe('a worker-prepared batch handed to the store as it is', () => {
  it('stays packed from a worker, and unpacks to what preparing in place gives', async () => {
    const packed = await workerPool().prepareBody('ndjson', ndjson, NOW);
    expect(isPacked(packed)).toBe(true);
    expect(unpackBatch(packed as never)).toEqual(prepareBody('ndjson', ndjson, NOW));
    // Prepared in place (no worker), it is an ordinary batch.
    expect(isPacked(await new PreparePool(0).prepareBody('ndjson', ndjson, NOW))).toBe(false);
  });

  it('is stored by the writer thread with duplicates and rejections counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provlog-packed-'));
    const store = new SqliteLogStore({ file: join(dir, 'provlog.db'), writerThread: true });
    try {
      const pool = workerPool();
      const first = await storePrepared(store, await pool.prepareBody('ndjson', ndjson, NOW));
      expect(first).toMatchObject({ accepted: 3, duplicates: 0 });
      expect(first.rejected.map((r) => r.line)).toEqual([3, 4]);
      const again = await storePrepared(store, await pool.prepareBody('ndjson', ndjson, NOW));
      expect(again).toMatchObject({ accepted: 0, duplicates: 3 });
      const stored = await store.getEntry('c3');
      expect(stored?.taskId).toBeNull();
      expect(JSON.stringify(stored)).not.toContain('hunter2');
      expect((await store.getEntry('c1'))?.taskId).toBe('t1');
      expect(await store.getEntry('c2')).toBeUndefined();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is unpacked for a store that takes only prepared entries', async () => {
    const received: string[] = [];
    const store = {
      ingestPrepared: async (batch) => {
        received.push(...batch.entries.map((e) => e.head.changeId));
        return {
          tasks: batch.tasks.map(() => 'accepted'),
          entries: batch.entries.map(() => 'accepted'),
        };
      },
    } as Pick<LogStore, 'ingestPrepared'> as LogStore;
    const packed = await workerPool().prepareBody('ndjson', ndjson, NOW);
    expect(await storePrepared(store, packed)).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(received).toEqual(['c1', 'c3']);
  });

  it('gives a pooled body memory back once a worker has read it, and uses it again', async () => {
    const pool = workerPool();
    const bytes = Buffer.from(ndjson);
    const memory = pool.buffers.take(bytes.length);
    const body = Buffer.from(memory, 0, bytes.copy(Buffer.from(memory)));
    const onWorker = await pool.prepareBody('ndjson', body, NOW, true);
    expect(unpackBatch(onWorker as never)).toEqual(prepareBody('ndjson', ndjson, NOW));
    expect(pool.buffers.size).toBe(1);
    // Moved to the worker (this side's view is detached) and back: it serves the next body.
    expect(memory.byteLength).toBe(0);
    expect(pool.buffers.take(bytes.length).byteLength).toBe(1024 * 1024);
    expect(pool.buffers.size).toBe(0);
  });
});
