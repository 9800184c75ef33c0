import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import { validateEntry, validateTask } from '../model/validate-ingest.ts';
import { normalizeEntry } from '../model/normalize.ts';
import { prepareEntry, type PreparedEntry } from '../store/entry-codec.ts';
import { BodyError, eachNdjsonRecord, recordsFromJson } from './parse-body.ts';
import { PackedBatchBuilder, type PackedBatch } from './packed-batch.ts';
import type { IngestRecord, Rejection } from './ingest-records.ts';

/** A batch checked and split, ready for `LogStore.ingestPrepared`, with what was refused. */
export interface PreparedBatch {
  tasks: TaskInput[];
  entries: PreparedEntry[];
  rejected: Rejection[];
}

export type BodyFormat = 'json' | 'ndjson';

/**
 * Validates each record on its own, normalises (redacts) the good ones and splits each entry
 * into columns and document. Pure CPU work: it runs on the caller's thread for small batches
 * and on a worker for big ones (prepare-pool.ts), with the same result either way.
 */
export function prepareRecords(records: IngestRecord[], now: number): PreparedBatch {
  const out: PreparedBatch = { tasks: [], entries: [], rejected: [] };
  for (const r of records) prepareRecord(r, now, out);
  return out;
}

/**
 * prepareRecords packed for a writer thread as it goes (packed-batch.ts): each entry goes into
 * the columns as soon as it is prepared, and no array of entry objects gathers meanwhile.
 */
export function prepareRecordsPacked(records: IngestRecord[], now: number): PackedBatch {
  return packing((out) => {
    for (const r of records) prepareRecord(r, now, out);
  });
}

/** What `fill` puts in a sink whose entries are packed as they come. */
function packing(fill: (out: PreparedSink) => void): PackedBatch {
  const builder = new PackedBatchBuilder();
  const out = { tasks: [] as TaskInput[], entries: builder, rejected: [] as Rejection[] };
  fill(out);
  return builder.finish(out.tasks, out.rejected);
}

/** Where prepareRecord puts what it prepares: a batch's arrays, or a packed batch's builder. */
interface PreparedSink {
  tasks: TaskInput[];
  entries: { push(entry: PreparedEntry): unknown };
  rejected: Rejection[];
}

/** prepareRecords for one record, added to `out`. */
function prepareRecord(r: IngestRecord, now: number, out: PreparedSink): void {
  const errors = r.kind === 'task' ? validateTask(r.value, now) : validateEntry(r.value, now);
  if (errors.length > 0) {
    const changeId = (r.value as { changeId?: unknown } | null)?.changeId;
    out.rejected.push({
      index: r.index,
      kind: r.kind,
      ...(r.line !== undefined ? { line: r.line } : {}),
      ...(typeof changeId === 'string' ? { changeId } : {}),
      errors,
    });
  } else if (r.kind === 'task') {
    out.tasks.push(r.value as TaskInput);
  } else {
    out.entries.push(prepareEntry(normalizeEntry(r.value as EntryInput)));
  }
}

/**
 * An ingest body as text (JSON `{"tasks":[…],"entries":[…]}` or NDJSON lines) → a prepared
 * batch. Throws BodyError when the body is refused whole (not JSON, wrong shape, too many records).
 */
export function prepareBody(format: BodyFormat, text: string, now: number): PreparedBatch {
  if (format === 'ndjson') {
    let batch: PreparedBatch | undefined;
    prepareNdjson(text, now, Infinity, (b) => (batch = b));
    return batch!;
  }
  return prepareRecords(recordsFromJson(parseJsonBody(text)), now);
}

/** prepareBody packed as it goes, for a writer thread (see prepareRecordsPacked). */
export function prepareBodyPacked(format: BodyFormat, text: string, now: number): PackedBatch {
  if (format === 'json') return prepareRecordsPacked(recordsFromJson(parseJsonBody(text)), now);
  return packing((out) =>
    eachNdjsonRecord(
      text,
      (r) => prepareRecord(r, now, out),
      (r) => out.rejected.push(r),
    ),
  );
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError(
      `The body is not valid JSON: ${(err as Error).message}`,
      [{ field: '/', message: 'is not valid JSON' }],
      true,
    );
  }
}

/**
 * prepareBody('ndjson') a chunk at a time: `onChunk` gets each `chunkSize` entries in turn, with
 * the tasks and refusals of the lines since the chunk before, and once more at the end (the
 * rest, possibly nothing). Each line is prepared as it is parsed, so only its prepared form
 * outlives it; a caller that stores each chunk before the next keeps no more than a chunk.
 * Lines come in order, so refusals of both kinds come in index order. Throws BodyError as
 * prepareBody does — after the chunks before the bad line were handed on.
 */
export function prepareNdjson(
  text: string,
  now: number,
  chunkSize: number,
  onChunk: (batch: PreparedBatch) => void,
): void {
  let batch: PreparedBatch = { tasks: [], entries: [], rejected: [] };
  eachNdjsonRecord(
    text,
    (r) => {
      prepareRecord(r, now, batch);
      if (batch.entries.length < chunkSize) return;
      onChunk(batch);
      batch = { tasks: [], entries: [], rejected: [] };
    },
    (r) => batch.rejected.push(r),
  );
  onChunk(batch);
}
