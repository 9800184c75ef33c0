import type { EntryInput } from '../../model/entry.ts';
import type { Source, TriggerMethod } from '../../model/enums.ts';
import { newId } from '../../model/ids.ts';
import type { HubGroup, HubUser } from '../../model/directory.ts';
import type { Job, System } from '../../model/job.ts';
import type { Task, TaskInput } from '../../model/task.ts';
import { TraceFilter } from '../trace-level.ts';
import type { Page, PageRequest } from '../../store/log-store.ts';
import { BufferedAnchors } from './anchor-writer.ts';
import { batchMatch } from './batch-match.ts';
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
/** Filter requests in flight at once for a chunk's batch matching. */
const BATCH_MATCH_CONCURRENCY = 4;

/**
 * One outbound cycle as one task. Full: every hub user, then every anchor whose hub user is
 * gone, then the same for groups (as the job's objectTypes say); the watermark moves to where
 * the hub stood when the cycle began. Incremental: the hub changes since the watermark. Each
 * object is one entry (see sync-user.ts, sync-group.ts).
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
  // What the system's trace level does not keep is counted on the task.
  const trace = new TraceFilter(system.traceLevel);
  const finish = async (extra: Partial<TaskInput>) => {
    await engine.write([], {
      ...task,
      endedAt: new Date(now()).toISOString(),
      ...trace.taskFields(),
      ...extra,
    });
    return (await engine.deps.log.getTask(task.id))!;
  };
  const ready = await engine.prepare(job, system);
  if (!ready.ok)
    return finish({ event: 'sync_error', errorCode: ready.code, reason: ready.reason });
  const anchorBuffer = new BufferedAnchors(directory, job.id);
  const prepared = { ...ready, target: { ...ready.target, anchors: anchorBuffer } };
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
  const members = engine.memberProvisioner(prepared, ctx);
  const record = async (entries: EntryInput[]) => {
    // The chunk's links first: an entry that says "created" has its link stored.
    await anchorBuffer.flush();
    for (const e of entries) members.remember(e);
    entries = [...members.drain(), ...entries];
    processed += entries.length;
    failed += entries.filter((e) => e.status === 'failure').length;
    await engine.write(engine.traced(system, entries, trace));
  };
  const run = async (users: Array<{ hubId: string; user?: HubUser | null }>) => {
    const anchors = await directory.anchorsFor(
      job.id,
      users.map((u) => u.hubId),
    );
    const matched = await batchMatch(prepared.target, users, anchors, BATCH_MATCH_CONCURRENCY);
    await record(
      await mapPool(users, engine.concurrency, async (u) =>
        engine.attempt(prepared, ctx, {
          hubId: u.hubId,
          ...(u.user !== undefined ? { user: u.user } : {}),
          anchor: anchors.get(u.hubId) ?? null,
          ...(matched.has(u.hubId) ? { matched: matched.get(u.hubId) ?? null } : {}),
        }),
      ),
    );
  };
  // Groups after users, so that their members are linked; a member that is not is
  // provisioned first (once per cycle) by `members`.
  const runGroups = async (groups: Array<{ hubId: string; group?: HubGroup | null }>) => {
    const anchors = await directory.anchorsFor(
      job.id,
      groups.map((g) => g.hubId),
    );
    await record(
      await mapPool(groups, engine.concurrency, async (g) =>
        engine.attempt(
          prepared,
          ctx,
          {
            objectType: 'group',
            hubId: g.hubId,
            ...(g.group !== undefined ? { group: g.group } : {}),
            anchor: anchors.get(g.hubId) ?? null,
          },
          undefined,
          members,
        ),
      ),
    );
  };
  const pushUsers = job.objectTypes.includes('user');
  const pushGroups = job.objectTypes.includes('group');

  /**
   * Every hub object of one type, a chunk at a time, then each anchor whose object is gone.
   * Two chunks overlap: the next one's requests are in flight while this one's entries are
   * written, so the target is never idle at a chunk's boundary.
   */
  const fullPass = async <T extends { id: string }>(
    type: 'user' | 'group',
    list: (page: PageRequest) => Promise<Page<T>>,
    push: (chunk: Array<{ hubId: string; doc?: T }>) => Promise<void>,
    anchored: ReadonlyArray<{ sourceKey: string; objectType: string }>,
  ) => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let previous: Promise<void> = Promise.resolve();
    try {
      do {
        const page = await list({ limit: PAGE, cursor });
        for (const o of page.items) seen.add(o.id);
        const current = push(page.items.map((doc) => ({ hubId: doc.id, doc })));
        current.catch(() => undefined); // awaited next round; not an unhandled rejection meanwhile
        await previous;
        previous = current;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } finally {
      // On an error, nothing is left running behind the cycle's back.
      await previous.catch(() => undefined);
    }
    await previous;
    const gone = anchored.filter((a) => a.objectType === type && !seen.has(a.sourceKey));
    for (let i = 0; i < gone.length; i += PAGE)
      await push(gone.slice(i, i + PAGE).map((a) => ({ hubId: a.sourceKey })));
  };

  if (mode === 'full') {
    const mark = await outbound.latestChange();
    const anchored = await directory.anchors(job.id);
    if (pushUsers)
      await fullPass(
        'user',
        (page) => directory.listUsers({}, page),
        (chunk) => run(chunk.map((c) => ({ hubId: c.hubId, ...(c.doc ? { user: c.doc } : {}) }))),
        anchored,
      );
    if (pushGroups)
      await fullPass(
        'group',
        (page) => directory.listGroups({}, page),
        (chunk) =>
          runGroups(chunk.map((c) => ({ hubId: c.hubId, ...(c.doc ? { group: c.doc } : {}) }))),
        anchored,
      );
    await outbound.advance(job.id, mark, true);
  } else if (mode === 'incremental') {
    await engine.consumeChanges(job, async ({ users, groups }) => {
      if (users.length) await run(users.map((hubId) => ({ hubId })));
      if (groups.length) await runGroups(groups.map((hubId) => ({ hubId })));
    });
  } else {
    const of = (type: 'user' | 'group') =>
      job.objectTypes.includes(type)
        ? [...new Set((opts.objects ?? []).filter((o) => o.objectType === type).map((o) => o.id))]
        : [];
    const users = of('user');
    const groups = of('group');
    for (let i = 0; i < users.length; i += PAGE)
      await run(users.slice(i, i + PAGE).map((hubId) => ({ hubId })));
    for (let i = 0; i < groups.length; i += PAGE)
      await runGroups(groups.slice(i, i + PAGE).map((hubId) => ({ hubId })));
  }
  const done = await finish({ event: failed ? 'sync_error' : 'account_synchronization' });
  await engine.judge(job, processed, failed, task.id);
  return done;
}

export type { EntryInput };
