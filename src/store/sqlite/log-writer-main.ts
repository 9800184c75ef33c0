import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { unpackBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import { openSqlite } from './open.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import type { WriterReply } from './log-writer-thread.ts';

/**
 * The log's writer on a connection of its own (log-writer-thread.ts): batches arrive packed
 * (prepared by the caller), are stored in one transaction each (or those that queued in one
 * together), and the answer goes back with the systems renamed.
 */
const { file, hubFile } = workerData as { file: string; hubFile?: string };
const db = openSqlite(file, undefined, 'writes');
const writer = new SqliteWriter(db);
/**
 * The hub's file, for its checkpoints only: the hub is written on the main thread, and a
 * checkpoint there runs inside a commit of an import's chunk. Checkpointed here when the log
 * rests (an import's log rests when the import does), the hub's own limit is 512 MiB of WAL
 * (sqlite-log-store.ts), a bound for hub writes that bring no log writes.
 */
const hub = hubFile ? new Database(hubFile, { fileMustExist: true }) : undefined;
hub?.pragma('wal_autocheckpoint = 0');
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
 * Entries get their words indexed (free-text search) this many at a time while the writer is
 * idle, a batch that arrives meanwhile waiting for one step at most (~25 ms).
 */
const WORDS_STEP = 1000;
let wordsStep: NodeJS.Immediate | undefined;
const indexWords = () => {
  wordsStep = undefined;
  let more = false;
  try {
    more = writer.indexWords(WORDS_STEP) === WORDS_STEP;
  } catch {
    // Left for the next idle time: searches read the entries not indexed yet one by one.
  }
  if (more) wordsStep = setImmediate(indexWords);
  else checkpoint();
};
/**
 * Words wait for a longer pause than identities: an import's log pauses for a few hundred
 * milliseconds now and then (its main thread collecting garbage or committing the hub), and
 * indexing there would take CPU from the import for work no search is waiting for.
 */
const WORDS_WHEN_IDLE_MS = 1000;
/**
 * Once batches pause: the identities that wait, then a checkpoint, so that the WAL (up to
 * 128 MiB between checkpoints, open.ts) is copied into the database while nothing is written;
 * after a longer pause the words of new entries, step by step, and another checkpoint.
 */
const whenIdle = () => {
  if (writer.unindexed) indexNow();
  checkpoint();
  idle = setTimeout(indexWords, WORDS_WHEN_IDLE_MS - INDEX_WHEN_IDLE_MS);
};
const checkpoint = () => {
  for (const conn of hub ? [db, hub] : [db]) {
    try {
      conn.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The next idle time tries again; SQLite's own checkpoints go on meanwhile.
    }
  }
};
const scheduleIdleWork = () => {
  clearTimeout(idle);
  if (wordsStep) clearImmediate(wordsStep);
  wordsStep = undefined;
  if (writer.unindexed >= MAX_UNINDEXED) setImmediate(indexNow);
  idle = setTimeout(whenIdle, INDEX_WHEN_IDLE_MS);
};
/**
 * Calls that queued while a transaction ran are stored together, in one transaction, at most
 * this many. A commit writes every page its batches changed, and batches spread over an index
 * of random keys (change ids, recurring identities) change pages all over it: two batches in
 * one commit write most of those pages once instead of twice. Each answer still waits for the
 * commit that makes its batch durable.
 */
const MAX_GROUP = 8;

type Call = { id: number; batch: PackedBatch } | { id: number; close: true };

function store(msg: Exclude<Call, { close: true }>): WriterReply {
  try {
    const { tasks, entries } = unpackBatch(msg.batch);
    const result = writer.ingestBatch(tasks, entries);
    return { id: msg.id, ok: true, result, renamed: writer.takeRenamedSystems() };
  } catch (err) {
    return { id: msg.id, ok: false, error: (err as Error).message };
  }
}

function close(id: number): void {
  hub?.close();
  db.pragma('optimize');
  db.close();
  parentPort!.postMessage({ id, ok: true } satisfies WriterReply);
}

// Identities a previous run left waiting.
scheduleIdleWork();
parentPort!.on('message', (first: Call) => {
  clearTimeout(idle);
  if (wordsStep) clearImmediate(wordsStep);
  wordsStep = undefined;
  const calls = [first];
  while (calls.length < MAX_GROUP && !('close' in calls.at(-1)!)) {
    const queued = receiveMessageOnPort(parentPort!);
    if (!queued) break;
    calls.push(queued.message as Call);
  }
  const last = calls.at(-1)!;
  const closing = 'close' in last ? last : undefined;
  const batches = (closing ? calls.slice(0, -1) : calls) as Array<Exclude<Call, { close: true }>>;
  let replies: WriterReply[];
  try {
    // A lone batch has its own transaction; a close alone opens none.
    replies = batches.length <= 1 ? batches.map(store) : writer.together(() => batches.map(store));
  } catch (err) {
    // The shared commit failed: nothing of the group is stored.
    replies = batches.map((b) => ({ id: b.id, ok: false, error: (err as Error).message }));
  }
  for (const reply of replies) parentPort!.postMessage(reply);
  if (closing) return close(closing.id);
  // After the answers: the callers go on while this thread indexes.
  scheduleIdleWork();
});
