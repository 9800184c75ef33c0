import type { Task, TaskCounts, TaskInput } from '../model/task.ts';
import { deriveTaskStatus, describeTask } from '../model/task-status.ts';
import { OBJECT_TYPES } from '../model/enums.ts';
import type { TaskCountsTable } from './db-types.ts';

export function countsFromRow(row: Partial<TaskCountsTable> | undefined): TaskCounts {
  const n = (v: number | null | undefined) => v ?? 0;
  const failedByType: TaskCounts['failedByType'] = {};
  for (const type of OBJECT_TYPES) {
    const v = n(row?.[`failed_${type}`]);
    if (v > 0) failedByType[type] = v;
  }
  return {
    processed: n(row?.processed),
    created: n(row?.created),
    updated: n(row?.updated),
    deleted: n(row?.deleted),
    disabled: n(row?.disabled),
    skipped: n(row?.skipped),
    failed: n(row?.failed),
    resolved: n(row?.resolved),
    pending: n(row?.pending),
    failedByType,
  };
}

export function taskFromRow(row: { doc: string } & Partial<TaskCountsTable>): Task {
  const input = JSON.parse(row.doc) as TaskInput;
  const counts = countsFromRow(row);
  const facts = {
    initial: input.status === 'initial',
    endedAt: input.endedAt ?? null,
    errorCode: input.errorCode,
    reason: input.reason,
    counts,
  };
  const status = deriveTaskStatus(facts);
  const { status: _stated, ...rest } = input;
  return {
    ...rest,
    parentTaskId: input.parentTaskId ?? null,
    endedAt: input.endedAt ? new Date(input.endedAt).toISOString() : null,
    startedAt: new Date(input.startedAt).toISOString(),
    status,
    statusDescription: describeTask(status, facts),
    counts,
  };
}

/** The SQL twin of deriveTaskStatus, for filtering tasks by status (tests keep them in step). */
export const TASK_STATUS_SQL = `CASE
  WHEN t.initial = 1 THEN 'initial'
  WHEN t.ended_at IS NULL THEN 'running'
  WHEN t.error_code IS NOT NULL THEN
    CASE WHEN COALESCE(c.processed,0) - COALESCE(c.failed,0) - COALESCE(c.skipped,0) > 0 THEN 'partially_succeeded' ELSE 'failed' END
  WHEN COALESCE(c.failed,0) = 0 THEN 'succeeded'
  WHEN COALESCE(c.processed,0) - COALESCE(c.failed,0) - COALESCE(c.skipped,0) > 0 OR COALESCE(c.skipped,0) > 0 THEN 'partially_succeeded'
  ELSE 'failed' END`;
