import type { Job } from '../model/job.ts';
import type { TaskInput } from '../model/task.ts';
import type { LogStore } from '../store/log-store.ts';
import { ingestRecords } from '../ingest/ingest-records.ts';

/**
 * On start, tasks of provlog's own jobs still `running` were cut off by a stop or a crash:
 * close them as failed (TaskOrphaned) so none stays running forever; they can be re-triggered.
 * Tasks of external engines are theirs to close and are left alone.
 */
export async function closeOrphanedTasks(
  deps: { log: LogStore; jobs: { listJobs(): Promise<Job[]> } },
  now = Date.now(),
): Promise<string[]> {
  const ours = new Set((await deps.jobs.listJobs()).map((j) => j.id));
  const closed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.log.listTasks(
      { status: ['running'] },
      { limit: 500, ...(cursor ? { cursor } : {}) },
    );
    for (const t of page.items) {
      if (!t.jobId || !ours.has(t.jobId)) continue;
      const { status: _s, statusDescription: _d, counts: _c, ...input } = t;
      const task: TaskInput = {
        ...input,
        endedAt: new Date(Math.max(now, Date.parse(t.startedAt))).toISOString(),
        errorCode: 'TaskOrphaned',
        reason: 'provlog stopped while this task was running; re-trigger it to finish the work',
      };
      const result = await ingestRecords(deps.log, [{ kind: 'task', index: 0, value: task }], now);
      if (result.rejected.length === 0) closed.push(t.id);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return closed;
}
