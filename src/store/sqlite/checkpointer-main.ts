import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { WalProgressReader } from './wal-progress.ts';
import type { CheckpointCall, CheckpointReply, WatchedFile } from './checkpointer.ts';

/**
 * The checkpointer's thread (checkpointer.ts): a connection per database, which copies WAL
 * frames into the database file while the writers go on writing.
 */
const { files } = workerData as { files: WatchedFile[] };
const watched = files.map(({ file, frames }) => {
  const db = new Database(file, { fileMustExist: true });
  // A checkpoint syncs the WAL before copying and the database after, as the writers' own do.
  db.pragma('synchronous = NORMAL');
  return { db, frames, progress: new WalProgressReader(`${file}-shm`) };
});

/**
 * Rounds of checkpointing per call at most: each copies what was committed when it began, and
 * the writer commits meanwhile; a round or two more usually catch up with it.
 */
const MAX_ROUNDS = 8;

/** Checkpoints a database until its WAL is copied whole, if `lag` frames or more wait; returns the rounds run. */
function catchUp(w: (typeof watched)[number], lag: number): number {
  const p = w.progress.read();
  if (!p || p.frames - p.backfilled < lag) return 0;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const [r] = w.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number }>;
    const now = w.progress.read();
    // Busy: another connection is checkpointing (a writer past its own limit).
    if (!r || r.busy || !now || now.backfilled === now.frames) return round;
  }
  return MAX_ROUNDS;
}

parentPort!.on('message', (call: CheckpointCall) => {
  if ('close' in call) {
    for (const w of watched) {
      w.progress.close();
      w.db.close();
    }
    parentPort!.postMessage({ id: call.id, ok: true, rounds: 0 } satisfies CheckpointReply);
    return;
  }
  let rounds = 0;
  try {
    for (const w of watched) rounds += catchUp(w, call.event === 'rested' ? 1 : w.frames);
  } catch (err) {
    parentPort!.postMessage({ id: call.id, ok: false, error: (err as Error).message });
    return;
  }
  parentPort!.postMessage({ id: call.id, ok: true, rounds } satisfies CheckpointReply);
});
