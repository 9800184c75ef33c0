import type { LogStore } from '../store/log-store.ts';

const LOOK_BACK = 500;

/**
 * Where the job's next incremental run starts: the watermark the latest finished task recorded
 * in its parameters. The log is the record of what was imported, so the watermark is read from
 * it rather than kept beside it; none found (first run, or purged by retention) → a full run.
 */
export async function lastWatermark(log: LogStore, jobId: string): Promise<string | undefined> {
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await log.listTasks(
      { jobId: [jobId] },
      { limit: 50, ...(cursor ? { cursor } : {}) },
    );
    for (const t of page.items) {
      const w = t.parameters?.watermark;
      if (t.endedAt && typeof w === 'string' && /^\d{14}Z$/.test(w)) return w;
    }
    read += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && read < LOOK_BACK);
  return undefined;
}
