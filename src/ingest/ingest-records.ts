import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import type { FieldError } from '../model/validation-error.ts';
import { validateEntry, validateTask } from '../model/validate-ingest.ts';
import { normalizeEntry } from '../model/normalize.ts';
import type { LogStore } from '../store/log-store.ts';

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
export async function ingestRecords(
  store: LogStore,
  records: IngestRecord[],
  now = Date.now(),
): Promise<IngestResult> {
  const tasks: TaskInput[] = [];
  const entries: ReturnType<typeof normalizeEntry>[] = [];
  const rejected: Rejection[] = [];
  for (const r of records) {
    const errors = r.kind === 'task' ? validateTask(r.value, now) : validateEntry(r.value, now);
    if (errors.length > 0) {
      const changeId = (r.value as { changeId?: unknown } | null)?.changeId;
      rejected.push({
        index: r.index,
        kind: r.kind,
        ...(r.line !== undefined ? { line: r.line } : {}),
        ...(typeof changeId === 'string' ? { changeId } : {}),
        errors,
      });
    } else if (r.kind === 'task') {
      tasks.push(r.value as TaskInput);
    } else {
      entries.push(normalizeEntry(r.value as EntryInput));
    }
  }
  if (tasks.length === 0 && entries.length === 0) return { accepted: 0, duplicates: 0, rejected };
  const stored = await store.ingest({ tasks, entries });
  let accepted = 0;
  let duplicates = 0;
  for (const outcome of [...stored.tasks, ...stored.entries]) {
    if (outcome === 'accepted') accepted++;
    else duplicates++;
  }
  return { accepted, duplicates, rejected };
}
