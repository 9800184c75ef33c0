import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { unpackBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import { CHECKPOINT_FRAMES, HUB_CHECKPOINT_FRAMES, openSqlite, PAGE_SIZE } from './open.ts';
import { Checkpointer } from './checkpointer.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { searchClock, type IdentityIndexing, type WriterReply } from './log-writer-thread.ts';
import { StatementCache } from './statement-cache.ts';
import type { CompiledStatement } from '../directory/write-behind.ts';

/**
 * The log's writer on a connection of its own (log-writer-thread.ts): batches arrive packed
 * (prepared by the caller), are stored in one transaction each (or those that queued in one
 * together), and the answer goes back with the systems renamed.
 */
const { file, hubFile, searches, indexing } = workerData as {
  file: string;
  hubFile?: string;
  searches: SharedArrayBuffer;
  indexing: IdentityIndexing;
};
const db = openSqlite(file, undefined, 'writes');
const writer = new SqliteWriter(db);
/**
 * The log's file and the hub's are checkpointed on a thread of their own (checkpointer.ts), told
 * of each commit here; this connection's own checkpoint waits for twice the usual WAL, where it
 * has only the checkpointer's last few commits left to copy. The hub, written on the main
 * thread, checkpoints itself past HUB_CHECKPOINT_FRAMES (sqlite-log-store.ts): the checkpointer
 * copies its WAL a little before that, or when the log rests (an import's log rests when the
 * import does), so that an import's main thread does not wait for it — nor share the machine
 * with it: 100,000 users leave ~170 MiB of hub WAL. The thread starts with the first word to
 * it (a command that only reads never starts one); should it stop, this connection checkpoints
 * as before.
 */
let checkpointer: Checkpointer | undefined;
const tellCheckpointer = (event: 'committed' | 'rested') => {
  if (!checkpointer) {
    checkpointer = new Checkpointer([
      { file, frames: CHECKPOINT_FRAMES },
      ...(hubFile ? [{ file: hubFile, frames: (HUB_CHECKPOINT_FRAMES * 3) / 4 }] : []),
    ]);
    db.pragma(`wal_autocheckpoint = ${2 * CHECKPOINT_FRAMES}`);
    // The WAL now runs to twice the limit and more before it starts over: cut back to the usual
    // limit each time, its file's pages would be given back and taken anew (fresh memory, a page
    // fault each), and an in-process ingest stored 12% fewer entries a second (3 pairs).
    db.pragma(`journal_size_limit = ${3 * CHECKPOINT_FRAMES * PAGE_SIZE}`);
  }
  const thread = checkpointer;
  if (thread.failed) return;
  thread.notify(event).catch(() => {
    if (thread.failed) db.pragma(`wal_autocheckpoint = ${CHECKPOINT_FRAMES}`);
  });
};
/**
 * New identities get their trigrams when batches stop coming for a moment (`whenIdleMs`, 250) —
 * trigram indexing costs as much per identity as storing a few entries (~10 µs) — or at once
 * when `maxWaiting` (20,000) wait while people search: every identity search scans the
 * identities that wait (3 ms for 20,000, 16 ms for 100,000), so the wait stays short. With no
 * identity search for `searchIdleS` (30 s; the main thread notes each one,
 * LogWriterThread.noteSearch), the index is "search-idle", as Elasticsearch calls a shard it
 * then stops refreshing in the background: up to `maxWaitingSearchIdle` (200,000) wait — a
 * first search scans them once (~35 ms) and the next batch indexes them — so a bulk import of
 * new people does not index them while nobody looks: a second of CPU per 100,000 identities,
 * on a machine whose two cores the import keeps busy.
 */
const lastSearch = new Int32Array(searches);
const searchIdle = () => searchClock() - Atomics.load(lastSearch, 0) > indexing.searchIdleS;
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
  else tellCheckpointer('rested');
};
/**
 * Words wait for a longer pause than identities: an import's log pauses for a few hundred
 * milliseconds now and then (its main thread collecting garbage or committing the hub), and
 * indexing there would take CPU from the import for work no search is waiting for.
 */
const WORDS_WHEN_IDLE_MS = 1000;
/**
 * Once batches pause: the identities that wait, then a checkpoint of what is left in the WALs;
 * after a longer pause the words of new entries, step by step, and another checkpoint.
 */
const whenIdle = () => {
  if (writer.unindexed) indexNow();
  tellCheckpointer('rested');
  idle = setTimeout(indexWords, Math.max(0, WORDS_WHEN_IDLE_MS - indexing.whenIdleMs));
};
const scheduleIdleWork = () => {
  clearTimeout(idle);
  if (wordsStep) clearImmediate(wordsStep);
  wordsStep = undefined;
  const cap = searchIdle() ? indexing.maxWaitingSearchIdle : indexing.maxWaiting;
  if (writer.unindexed >= cap) setImmediate(indexNow);
  idle = setTimeout(whenIdle, indexing.whenIdleMs);
};
/**
 * Calls that queued while a transaction ran are stored together, in one transaction, at most
 * this many. A commit writes every page its batches changed, and batches spread over an index
 * of random keys (change ids, recurring identities) change pages all over it: two batches in
 * one commit write most of those pages once instead of twice. Each answer still waits for the
 * commit that makes its batch durable.
 */
const MAX_GROUP = 8;

type Call =
  | { id: number; batch: PackedBatch }
  | { id: number; hub: CompiledStatement[] }
  | { id: number; close: true };
type BatchCall = Extract<Call, { batch: PackedBatch }>;
const isBatch = (call: Call): call is BatchCall => 'batch' in call;

/**
 * The hub's file on a connection of this thread, for statements the main thread hands over
 * (a chunk of an import that only creates users: DirectoryStore.withTransactionWrittenLater),
 * written here while the main thread reads on.
 */
let hub: { db: ReturnType<typeof openSqlite>; statements: StatementCache } | undefined;
function writeHub(call: Extract<Call, { hub: CompiledStatement[] }>): WriterReply {
  try {
    if (!hubFile) throw new Error('this log has no hub file of its own');
    if (!hub) {
      const hubDb = openSqlite(hubFile, undefined, 'writes');
      hubDb.pragma(`wal_autocheckpoint = ${HUB_CHECKPOINT_FRAMES}`);
      hub = { db: hubDb, statements: new StatementCache(hubDb) };
    }
    const { db: hubDb, statements } = hub;
    hubDb
      .transaction(() => {
        for (const s of call.hub) statements.get(s.sql).run(s.parameters as unknown[]);
      })
      .immediate();
    return { id: call.id, ok: true };
  } catch (err) {
    return { id: call.id, ok: false, error: (err as Error).message };
  }
}

function store(msg: BatchCall): WriterReply {
  try {
    const { tasks, entries } = unpackBatch(msg.batch);
    const result = writer.ingestBatch(tasks, entries);
    return { id: msg.id, ok: true, result, renamed: writer.takeRenamedSystems() };
  } catch (err) {
    return { id: msg.id, ok: false, error: (err as Error).message };
  }
}

async function close(id: number): Promise<void> {
  await checkpointer?.close();
  hub?.db.close();
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
  // What queued is taken at once. Hub writes go first: the import that sent one waits for it
  // before it reads the hub again, while log batches only wait to be stored. Batches are stored
  // together, up to MAX_GROUP to a transaction; a close comes last, as sent.
  const calls = [first];
  while (!('close' in calls.at(-1)!)) {
    const queued = receiveMessageOnPort(parentPort!);
    if (!queued) break;
    calls.push(queued.message as Call);
  }
  const closing = calls.find((c): c is Extract<Call, { close: true }> => 'close' in c);
  for (const call of calls) if ('hub' in call) parentPort!.postMessage(writeHub(call));
  const batches = calls.filter(isBatch);
  for (let at = 0; at < batches.length; at += MAX_GROUP) {
    const group = batches.slice(at, at + MAX_GROUP);
    let replies: WriterReply[];
    try {
      // A lone batch has its own transaction.
      replies = group.length === 1 ? group.map(store) : writer.together(() => group.map(store));
    } catch (err) {
      // The shared commit failed: nothing of the group is stored.
      replies = group.map((b) => ({ id: b.id, ok: false, error: (err as Error).message }));
    }
    for (const reply of replies) parentPort!.postMessage(reply);
  }
  if (closing) return void close(closing.id);
  tellCheckpointer('committed');
  // After the answers: the callers go on while this thread indexes.
  scheduleIdleWork();
});
