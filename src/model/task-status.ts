import { OBJECT_TYPES, OBJECT_TYPE_NOUNS, type TaskStatus } from './enums.ts';
import type { TaskCounts } from './task.ts';

export interface TaskFacts {
  initial: boolean;
  endedAt: string | null;
  errorCode?: string | undefined;
  reason?: string | undefined;
  counts: TaskCounts;
}

/**
 * A task's status is derived, never stored: skips are not failures, and a failure made good
 * by a later retry or a confirmation no longer counts (it is in `resolved`, not `failed`).
 */
export function deriveTaskStatus(t: TaskFacts): TaskStatus {
  if (t.initial) return 'initial';
  if (!t.endedAt) return 'running';
  const c = t.counts;
  const goodOnes = c.processed - c.failed - c.skipped;
  if (t.errorCode) return goodOnes > 0 ? 'partially_succeeded' : 'failed';
  if (c.failed === 0) return 'succeeded';
  return goodOnes > 0 || c.skipped > 0 ? 'partially_succeeded' : 'failed';
}

/** "3 accounts and 1 organization failed" — most failures first, plural-aware. */
export function describeFailures(failedByType: TaskCounts['failedByType']): string {
  const parts = OBJECT_TYPES.map((type) => [type, failedByType[type] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]) // stable: ties keep object-type order
    .map(([type, n]) => {
      const [one, many] = OBJECT_TYPE_NOUNS[type];
      return `${n} ${n === 1 ? one : many}`;
    });
  if (parts.length === 0) return '';
  const list =
    parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  return `${list} failed`;
}

export function describeTask(status: TaskStatus, t: TaskFacts): string {
  const c = t.counts;
  switch (status) {
    case 'initial':
      return t.reason ? `Could not start: ${t.reason}` : 'Could not start; can be re-triggered';
    case 'running':
      return `Running: ${c.processed} processed so far`;
    case 'failed':
    case 'partially_succeeded': {
      const failures = describeFailures(c.failedByType);
      if (t.errorCode)
        return failures ? `${t.reason ?? t.errorCode}; ${failures}` : (t.reason ?? t.errorCode);
      return failures;
    }
    case 'succeeded': {
      const done = [
        ['created', c.created],
        ['updated', c.updated],
        ['deleted', c.deleted],
        ['disabled', c.disabled],
        ['skipped', c.skipped],
        ['resolved', c.resolved],
      ]
        .filter(([, n]) => (n as number) > 0)
        .map(([word, n]) => `${n} ${word}`);
      return `${c.processed} processed${done.length ? `: ${done.join(', ')}` : ''}`;
    }
  }
}
