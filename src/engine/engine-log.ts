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
  const records = [
    ...(task ? [{ kind: 'task' as const, index: 0, value: task }] : []),
    ...entries.map((value, index) => ({ kind: 'entry' as const, index, value })),
  ];
  const result = await ingestRecords(log, records, now);
  if (result.rejected.length)
    throw new Error(`engine produced an invalid record: ${JSON.stringify(result.rejected[0])}`);
}
