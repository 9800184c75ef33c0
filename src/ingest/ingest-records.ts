import type { FieldError } from '../model/validation-error.ts';
import type { LogStore, StoreIngestResult } from '../store/log-store.ts';
import { prepareRecords, prepareRecordsPacked, type PreparedBatch } from './prepare-records.ts';
import { isPacked, unpackBatch, type PackedBatch } from './packed-batch.ts';

export interface IngestRecord {
  kind: 'task' | 'entry';
  /** Position in its array (JSON body) or line (NDJSON), as the client sent it. */
  index: number;
  line?: number;
  value: unknown;
}

export interface Rejection {
  index: number;
  /** Absent when the record did not say what it is (an NDJSON line without a valid `kind`). */
  kind?: 'task' | 'entry';
  line?: number;
  changeId?: string;
  errors: FieldError[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/**
 * Validates each record on its own, stores the good ones in one batch and reports the rest:
 * one bad record never costs the batch, and a rejected one changes nothing.
 */
export function ingestRecords(
  store: LogStore,
  records: IngestRecord[],
  now = Date.now(),
): Promise<IngestResult> {
  // Packed as prepared for a store with a writer thread: its entries never gather as objects.
  const prepared = store.ingestPacked
    ? prepareRecordsPacked(records, now)
    : prepareRecords(records, now);
  return storePrepared(store, prepared);
}

/**
 * Stores what a prepared batch holds and tallies the answer. A batch still packed (prepared by
 * an ingest worker) goes as it is to a store that takes packed batches. Not an async function,
 * like the store calls it makes: a suspended frame would keep the batch alive until the store
 * answers (see SqliteLogStore.ingestPrepared).
 */
export function storePrepared(
  store: LogStore,
  batch: PreparedBatch | PackedBatch,
): Promise<IngestResult> {
  const { tasks, rejected } = batch;
  const entries = isPacked(batch) ? batch.docEnds.length : batch.entries.length;
  if (tasks.length === 0 && entries === 0)
    return Promise.resolve({ accepted: 0, duplicates: 0, rejected });
  const stored =
    isPacked(batch) && store.ingestPacked
      ? store.ingestPacked({ ...batch, rejected: [] })
      : store.ingestPrepared({
          tasks,
          entries: isPacked(batch) ? unpackBatch(batch).entries : batch.entries,
        });
  return stored.then((outcomes) => tally(outcomes, rejected));
}

/** A store's answer and the records refused before it, as the ingest answer counts them. */
export function tally(stored: StoreIngestResult, rejected: Rejection[]): IngestResult {
  let accepted = 0;
  let duplicates = 0;
  for (const outcome of [...stored.tasks, ...stored.entries]) {
    if (outcome === 'accepted') accepted++;
    else duplicates++;
  }
  return { accepted, duplicates, rejected };
}
