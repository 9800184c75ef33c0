import { parentPort, workerData } from 'node:worker_threads';
import { unpackBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import { openSqlite } from './open.ts';
import { prepareBody } from '../../ingest/prepare-records.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import type { WriterReply } from './log-writer-thread.ts';

/**
 * The log's writer on a connection of its own (log-writer-thread.ts): batches arrive packed
 * (prepared by the caller) or as NDJSON lines (prepared here), are stored in one transaction
 * each, and the answer goes back with the systems renamed and the records refused.
 */
const db = openSqlite((workerData as { file: string }).file);
const writer = new SqliteWriter(db);
/**
 * New identities get their trigrams when batches stop coming for a moment — trigram indexing
 * costs as much per identity as storing a few entries — or at once when this many wait: every
 * search scans the identities that wait (about 3 ms for 20,000), so the wait stays short.
 */
const INDEX_WHEN_IDLE_MS = 250;
const MAX_UNINDEXED = 20_000;
let idle: NodeJS.Timeout | undefined;
const indexNow = () => {
  try {
    writer.indexIdentities();
  } catch {
    // Left for later: the tail scan still finds these identities.
  }
};
/**
 * Once batches pause: the identities that wait, then a checkpoint, so that the WAL (up to
 * 128 MiB between checkpoints, open.ts) is copied into the database while nothing is written.
 */
const whenIdle = () => {
  if (writer.unindexed) indexNow();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // The next idle time tries again; SQLite's own checkpoints go on meanwhile.
  }
};
const scheduleIdleWork = () => {
  clearTimeout(idle);
  if (writer.unindexed >= MAX_UNINDEXED) setImmediate(indexNow);
  idle = setTimeout(whenIdle, INDEX_WHEN_IDLE_MS);
};
// Identities a previous run left waiting.
scheduleIdleWork();
parentPort!.on(
  'message',
  (
    msg:
      | { id: number; batch: PackedBatch }
      | { id: number; lines: string; now: number }
      | { id: number; close: true },
  ) => {
    clearTimeout(idle);
    if ('close' in msg) {
      db.pragma('optimize');
      db.close();
      parentPort!.postMessage({ id: msg.id, ok: true } satisfies WriterReply);
      return;
    }
    let reply: WriterReply;
    try {
      const { tasks, entries, rejected } =
        'lines' in msg ? prepareBody('ndjson', msg.lines, msg.now) : unpackBatch(msg.batch);
      const result = writer.ingestBatch(tasks, entries);
      reply = { id: msg.id, ok: true, result, rejected, renamed: writer.takeRenamedSystems() };
    } catch (err) {
      reply = { id: msg.id, ok: false, error: (err as Error).message };
    }
    parentPort!.postMessage(reply);
    // After the answer: the caller goes on while this thread indexes.
    scheduleIdleWork();
  },
);
