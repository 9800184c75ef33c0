import { parentPort, workerData } from 'node:worker_threads';
import { unpackBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import { openSqlite } from './open.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import type { WriterReply } from './log-writer-thread.ts';

/**
 * The log's writer on a connection of its own (log-writer-thread.ts): batches arrive packed,
 * are stored in one transaction each, and the answer goes back with the systems renamed.
 */
const db = openSqlite((workerData as { file: string }).file);
const writer = new SqliteWriter(db);
const indexLater = () => {
  try {
    writer.indexIdentities();
  } catch {
    // Left for the next batch: the tail scan still finds these identities.
  }
};
parentPort!.on(
  'message',
  (msg: { id: number; batch: PackedBatch } | { id: number; close: true }) => {
    if ('close' in msg) {
      db.pragma('optimize');
      db.close();
      parentPort!.postMessage({ id: msg.id, ok: true } satisfies WriterReply);
      return;
    }
    let reply: WriterReply;
    try {
      const { tasks, entries } = unpackBatch(msg.batch);
      const result = writer.ingestBatch(tasks, entries);
      reply = { id: msg.id, ok: true, result, renamed: writer.takeRenamedSystems() };
    } catch (err) {
      reply = { id: msg.id, ok: false, error: (err as Error).message };
    }
    parentPort!.postMessage(reply);
    // New identities get their trigrams once the caller has its answer, while it prepares the
    // next batch; searches scan the few not indexed yet. A failure here is retried next time.
    if (writer.takeUnindexed()) setImmediate(indexLater);
  },
);
