import type { Actor, Entry, EntryInput } from '../model/entry.ts';
import type { Task, TaskInput } from '../model/task.ts';
import { newId } from '../model/ids.ts';
import type { LogStore } from '../store/log-store.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { writeEngineRecords } from './engine-log.ts';
import { carryOutDeprovision } from './deprovision.ts';
import { inboundEntry, step, type CycleContext, type Outcome } from './entry-builder.ts';
import { JobRunError, type JobCatalog } from './job-catalog.ts';
import { deleteHubGroup } from './inbound-groups.ts';

/**
 * An operator approves what deletion protection held: every `staged_delete` of the job not yet
 * acted on is carried out now (disable or delete, per the job), each as a new entry of the same
 * operation, in one task that names the approver.
 */
export async function approveStagedDeletions(
  deps: { jobs: JobCatalog; directory: DirectoryStore; log: LogStore; now?: () => number },
  jobId: string,
  approver: Actor,
): Promise<{ approved: number; task: Task | null }> {
  const now = deps.now ?? Date.now;
  const job = await deps.jobs.getJob(jobId);
  if (!job) throw new JobRunError('not_found', `No job ${JSON.stringify(jobId)}`);
  const system = await deps.jobs.getSystem(job.systemId);
  if (!system)
    throw new JobRunError(
      'not_found',
      `Job ${job.id} names system ${job.systemId}, which does not exist`,
    );

  const held: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.log.listEntries(
      { jobId: [job.id], action: ['staged_delete'], status: ['pending'] },
      { limit: 1000, ...(cursor ? { cursor } : {}) },
    );
    for (const e of page.items) {
      // Acted on already when a later attempt of the same operation exists.
      const attempts = await deps.log.listEntries({ operationId: [e.operationId] }, { limit: 2 });
      if (attempts.items.length === 1) held.push(e);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (held.length === 0) return { approved: 0, task: null };

  const startedAt = now();
  const ctx: CycleContext = {
    job,
    system,
    taskId: newId(startedAt),
    cycleId: newId(startedAt),
    triggerMethod: 'manual',
    source: 'manual_operation',
    now,
  };
  const task: TaskInput = {
    id: ctx.taskId,
    jobId: job.id,
    cycleId: ctx.cycleId,
    ...(held[0]!.taskId ? { parentTaskId: held[0]!.taskId } : {}),
    direction: 'inbound',
    triggerModule: 'identity_provider',
    triggerModuleName: system.name,
    triggerMethod: 'manual',
    source: 'manual_operation',
    startedAt: new Date(startedAt).toISOString(),
    parameters: {
      approvalOf: 'staged_delete',
      approvedBy: approver.displayName ?? approver.id,
      count: held.length,
    },
  };
  const write = (entries: EntryInput[], t?: TaskInput) =>
    writeEngineRecords(deps.log, now(), entries, t);
  await write([], task);
  const mode = job.deprovision === 'delete' ? 'delete' : 'disable';
  const entries: EntryInput[] = [];
  for (const e of held) {
    const hubId = e.targetIdentity?.id;
    const sourceKey = e.sourceIdentity?.id ?? '';
    const base: Omit<Outcome, 'action' | 'status'> = {
      sourceKey,
      startedAt: now(),
      operationId: e.operationId,
      approver,
      steps: [
        step('import', 'skipped', `${sourceKey} is no longer in ${system.name}`),
        step(
          'scoping',
          'success',
          `Held by deletion protection in entry ${e.changeId}; approved by ${approver.displayName ?? approver.id}`,
        ),
      ],
      ...(hubId ? { hubId } : {}),
    };
    if (e.objectType === 'group') {
      const group = hubId ? await deps.directory.getGroup(hubId) : undefined;
      if (group) {
        await deleteHubGroup(deps.directory, ctx, group, sourceKey);
        base.steps.push(step('provision', 'success', `Deleted group ${group.displayName}`));
      }
      entries.push(
        inboundEntry(ctx, {
          ...base,
          objectType: 'group',
          action: 'delete',
          ...(group
            ? { status: 'success', hubName: group.displayName }
            : { status: 'skipped', skipReason: 'no_change', reason: 'Already gone from the hub' }),
        }),
      );
      continue;
    }
    const user = hubId ? await deps.directory.getUser(hubId) : undefined;
    if (!user) {
      entries.push(
        inboundEntry(ctx, {
          ...base,
          action: mode,
          status: 'skipped',
          skipReason: 'no_change',
          reason: 'Already gone from the hub',
        }),
      );
      continue;
    }
    const result = await carryOutDeprovision(
      deps.directory,
      ctx,
      user,
      { sourceKey, missingSince: await deps.directory.anchorMissingSince(job.id, sourceKey) },
      base.steps,
    );
    entries.push(inboundEntry(ctx, { ...base, ...result, hubName: user.displayName }));
  }
  await write(entries);
  await write([], { ...task, endedAt: new Date(now()).toISOString() });
  return { approved: held.length, task: (await deps.log.getTask(task.id))! };
}
