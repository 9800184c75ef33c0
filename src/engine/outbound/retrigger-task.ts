import type { LogStore } from '../../store/log-store.ts';
import { JobRunError, type JobRunner } from '../job-runner.ts';

/**
 * A task's work again, as a new task linked by `parentTaskId`. An outbound full cycle runs
 * full again; an incremental one re-syncs exactly the objects its entries name. Matching runs
 * first in either, so nothing is created twice. An inbound task re-reads its source: a CSV
 * task the very file it was given.
 */
export async function retriggerTask(
  deps: { log: LogStore; runner: JobRunner },
  taskId: string,
): Promise<{ taskId: string }> {
  const task = await deps.log.getTask(taskId);
  if (!task) throw new JobRunError('not_found', `No task with id ${JSON.stringify(taskId)}`);
  if (!task.jobId)
    throw new JobRunError(
      'unsupported',
      `Task ${taskId} was not run by one of provlog's jobs (it was ingested): re-trigger it in the engine that ran it`,
    );
  const base = {
    jobId: task.jobId,
    triggerMethod: 'manual' as const,
    trigger: 're_trigger' as const,
    parentTaskId: task.id,
  };
  const mode = task.parameters?.mode;
  if (task.direction === 'outbound' && mode !== 'full') {
    const objects = new Map<string, { objectType: string; id: string }>();
    let cursor: string | undefined;
    do {
      const page = await deps.log.listEntries({ taskId: [task.id] }, { limit: 1000, cursor });
      for (const e of page.items)
        if (e.sourceIdentity?.id)
          objects.set(`${e.objectType}:${e.sourceIdentity.id}`, {
            objectType: e.objectType,
            id: e.sourceIdentity.id,
          });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const { taskId: id, done } = await deps.runner.start({
      ...base,
      objects: [...objects.values()],
    });
    void done.catch(() => undefined);
    return { taskId: id };
  }
  // An inbound file task reads the file it was given again (tasks from before `path` was
  // recorded fall back to the system's settings.path).
  const file = task.direction === 'inbound' ? task.parameters?.path : undefined;
  const { taskId: id, done } = await deps.runner.start({
    ...base,
    ...(task.direction === 'outbound' ? { mode: 'full' as const } : {}),
    ...(typeof file === 'string' && file !== '' ? { file } : {}),
  });
  void done.catch(() => undefined);
  return { taskId: id };
}
