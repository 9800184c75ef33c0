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

/**
 * Records prepared one at a time into a packed batch, for a producer that makes its records as
 * it goes (an engine's log pipe): each is validated, normalised and packed as it is added, so
 * the batch it takes is ready for a writer thread.
 */
export class PackedRecords {
  private out = PackedRecords.empty();
  private count = 0;

  private static empty() {
    return {
      tasks: [] as TaskInput[],
      entries: new PackedBatchBuilder(),
      rejected: [] as Rejection[],
    };
  }

  add(kind: 'task' | 'entry', value: unknown, now: number): void {
    prepareRecord({ kind, index: this.count++, value }, now, this.out);
  }

  /** The batch of the records added since the last call. */
  take(): PackedBatch {
    const { tasks, entries, rejected } = this.out;
    this.out = PackedRecords.empty();
    this.count = 0;
    return entries.finish(tasks, rejected);
  }
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
  if (format === 'json') return prepareRecords(recordsFromJson(parseJsonBody(text)), now);
  const out: PreparedBatch = { tasks: [], entries: [], rejected: [] };
  eachNdjsonRecord(
    text,
    (r) => prepareRecord(r, now, out),
    (r) => out.rejected.push(r),
  );
  return out;
}

/** prepareBody packed as it goes, for a writer thread (see prepareRecordsPacked). */
export function prepareBodyPacked(
  format: BodyFormat,
  body: string | Uint8Array,
  now: number,
): PackedBatch {
  if (format === 'json') {
    const text = typeof body === 'string' ? body : decoder.decode(body);
    return prepareRecordsPacked(recordsFromJson(parseJsonBody(text)), now);
  }
  return packing((out) =>
    eachNdjsonRecord(
      body,
      (r) => prepareRecord(r, now, out),
      (r) => out.rejected.push(r),
    ),
  );
}

const decoder = new TextDecoder();

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
