import type { EntryInput } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import type { LogStore } from '../store/log-store.ts';
import { ingestRecords } from '../ingest/ingest-records.ts';

/**
 * The engine writes the log like any other engine, through the same validation. It builds its
 * own records, so one that fails validation is a bug, not data to drop: it throws.
 */
export async function writeEngineRecords(
  log: LogStore,
  now: number,
  entries: EntryInput[],
  task?: TaskInput,
): Promise<void> {
  let result;
  if (log.ingestLines) {
    // Text costs this thread a fraction of validating and splitting the records itself.
    const lines = entries.map((e) => recordLine('entry', e));
    if (task) lines.unshift(recordLine('task', task));
    result = await log.ingestLines(lines.join('\n'), now);
  } else {
    const records = [
      ...(task ? [{ kind: 'task' as const, index: 0, value: task }] : []),
      ...entries.map((value, index) => ({ kind: 'entry' as const, index, value })),
    ];
    result = await ingestRecords(log, records, now);
  }
  if (result.rejected.length)
    throw new Error(`engine produced an invalid record: ${JSON.stringify(result.rejected[0])}`);
}

/** One NDJSON record: the value's JSON with its kind spliced in first, without copying it. */
function recordLine(kind: 'task' | 'entry', value: object): string {
  const json = JSON.stringify(value);
  return json === '{}' ? `{"kind":"${kind}"}` : `{"kind":"${kind}",${json.slice(1)}`;
}

/**
 * A cycle's log writes, one batch in flight: the cycle goes on with its next objects while the
 * store writes the last ones (on the embedded store's writer thread, at the same time). Batches
 * stay in order — each waits for the one before — and a failed write fails the next call.
 */
export class EngineLogPipe {
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: LogStore,
    private readonly now: () => number,
  ) {}

  /** Sends a batch once the one before it is stored; resolves when it is sent, not stored. */
  async write(entries: EntryInput[], task?: TaskInput): Promise<void> {
    await this.inFlight;
    const written = writeEngineRecords(this.log, this.now(), entries, task);
    // Rethrown by the next write or flush; until then it must not count as unhandled.
    written.catch(() => undefined);
    this.inFlight = written;
  }

  /** Waits until every batch sent is stored. */
  async flush(): Promise<void> {
    await this.inFlight;
  }
}
