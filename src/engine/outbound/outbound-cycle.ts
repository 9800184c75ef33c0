import type { EntryInput } from '../../model/entry.ts';
import type { Source, TriggerMethod } from '../../model/enums.ts';
import { newId } from '../../model/ids.ts';
import type { HubUser } from '../../model/directory.ts';
import type { Job, System } from '../../model/job.ts';
import type { Task, TaskInput } from '../../model/task.ts';
import { mapPool } from './map-pool.ts';
import type { OutboundContext } from './outbound-entry.ts';
import type { OutboundEngine } from './outbound-engine.ts';

export type CycleMode = 'full' | 'incremental' | 'objects';

export interface OutboundCycleOptions {
  job: Job;
  system: System;
  /** Default: full until one full cycle has completed, incremental after. */
  mode?: 'full' | 'incremental';
  /** Re-trigger of an incremental task: exactly these hub objects. */
  objects?: Array<{ objectType: string; id: string }>;
  triggerMethod: TriggerMethod;
  trigger: Source;
  parentTaskId?: string;
  onTaskStarted?: (taskId: string) => void;
}

const PAGE = 500;

/**
 * One outbound cycle as one task. Full: every hub user, then every anchor whose hub user is
 * gone; the watermark moves to where the hub stood when the cycle began. Incremental: the hub
 * changes since the watermark. Each object is one entry (see sync-user.ts).
 */
export async function runOutboundCycle(
  engine: OutboundEngine,
  opts: OutboundCycleOptions,
): Promise<Task> {
  const { job, system } = opts;
  const { directory, outbound, now } = engine.deps;
  const startedAt = now();
  const state = await outbound.state(job.id);
  const mode: CycleMode = opts.objects
    ? 'objects'
    : (opts.mode ?? (state.fullDone ? 'incremental' : 'full'));
  const task: TaskInput = {
    id: newId(startedAt),
    jobId: job.id,
    cycleId: newId(startedAt),
    ...(opts.parentTaskId ? { parentTaskId: opts.parentTaskId } : {}),
    direction: 'outbound',
    triggerModule: 'application',
    triggerModuleName: system.name,
    triggerMethod: opts.triggerMethod,
    source: opts.trigger,
    startedAt: new Date(startedAt).toISOString(),
    parameters: { job: job.name, mode },
  };
  await engine.write([], task);
  opts.onTaskStarted?.(task.id);
  const finish = async (extra: Partial<TaskInput>) => {
    await engine.write([], { ...task, endedAt: new Date(now()).toISOString(), ...extra });
    return (await engine.deps.log.getTask(task.id))!;
  };
  const prepared = await engine.prepare(job, system);
  if (!prepared.ok)
    return finish({ event: 'sync_error', errorCode: prepared.code, reason: prepared.reason });
  const ctx: OutboundContext = {
    job,
    system,
    taskId: task.id,
    cycleId: task.cycleId!,
    triggerMethod: opts.triggerMethod,
    source: opts.trigger,
    now,
  };
  let processed = 0;
  let failed = 0;
  const run = async (users: Array<{ hubId: string; user?: HubUser | null }>) => {
    const anchors = await directory.anchorsFor(
      job.id,
      users.map((u) => u.hubId),
    );
    const entries = await mapPool(users, engine.concurrency, async (u) =>
      engine.attempt(prepared, ctx, {
        hubId: u.hubId,
        ...(u.user !== undefined ? { user: u.user } : {}),
        anchor: anchors.get(u.hubId) ?? null,
      }),
    );
    processed += entries.length;
    failed += entries.filter((e) => e.status === 'failure').length;
    await engine.write(engine.traced(system, entries));
  };

  if (mode === 'full') {
    const mark = await outbound.latestChange();
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await directory.listUsers({}, { limit: PAGE, cursor });
      for (const u of page.items) seen.add(u.id);
      await run(page.items.map((u) => ({ hubId: u.id, user: u })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const gone = (await directory.anchors(job.id)).filter(
      (a) => a.objectType === 'user' && !seen.has(a.sourceKey),
    );
    for (let i = 0; i < gone.length; i += PAGE)
      await run(gone.slice(i, i + PAGE).map((a) => ({ hubId: a.sourceKey })));
    await outbound.advance(job.id, mark, true);
  } else if (mode === 'incremental') {
    await engine.consumeChanges(job, async (ids) => run(ids.map((hubId) => ({ hubId }))));
  } else {
    const ids = [
      ...new Set((opts.objects ?? []).filter((o) => o.objectType === 'user').map((o) => o.id)),
    ];
    for (let i = 0; i < ids.length; i += PAGE)
      await run(ids.slice(i, i + PAGE).map((hubId) => ({ hubId })));
  }
  const done = await finish({ event: failed ? 'sync_error' : 'account_synchronization' });
  await engine.judge(job, processed, failed, task.id);
  return done;
}

export type { EntryInput };
