import { generateDemoHistory, type DemoOptions } from '../demo/demo-history.ts';
import type { LogStore } from '../store/log-store.ts';
import { ingestRecords, type IngestRecord } from './ingest-records.ts';

export interface DemoLoadResult {
  tasks: number;
  entries: number;
  duplicates: number;
  rejected: number;
}

/** Writes demo history through the same validation as the ingest API. */
export async function loadDemo(
  store: LogStore,
  opts: DemoOptions,
  onProgress?: (done: number) => void,
): Promise<DemoLoadResult> {
  const result: DemoLoadResult = { tasks: 0, entries: 0, duplicates: 0, rejected: 0 };
  for (const batch of generateDemoHistory(opts)) {
    const records: IngestRecord[] = [
      ...batch.tasks.map((value, index) => ({ kind: 'task' as const, index, value })),
      ...batch.entries.map((value, index) => ({ kind: 'entry' as const, index, value })),
    ];
    const answer = await ingestRecords(store, records, opts.now);
    if (answer.rejected.length > 0) {
      // Demo data that fails validation is a bug in the generator, not something to skip quietly.
      throw new Error(`demo record rejected: ${JSON.stringify(answer.rejected[0])}`);
    }
    result.tasks += batch.tasks.length;
    result.entries += batch.entries.length;
    result.duplicates += answer.duplicates;
    onProgress?.(result.entries);
  }
  return result;
}
