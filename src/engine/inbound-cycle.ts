import type { EntryInput } from '../model/entry.ts';
import type { Source, TriggerMethod } from '../model/enums.ts';
import type { Job, System } from '../model/job.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import type { Task, TaskInput } from '../model/task.ts';
import { newId } from '../model/ids.ts';
import type { LogStore } from '../store/log-store.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { EngineLogPipe, type HeldEntries } from './engine-log.ts';
import { AttributeMapper } from './attribute-mapper.ts';
import { ExpressionError } from './expression.ts';
import { inboundEntry, type CycleContext, type Outcome } from './entry-builder.ts';
import type { InboundSource, SourceRow } from './source-row.ts';
import { ChunkLookup } from './chunk-lookup.ts';
import { MATCHING_ATTRIBUTES, type MatchingAttribute } from '../store/directory/directory-store.ts';
import { TraceFilter } from './trace-level.ts';
import { deprovision, processRow, type MappedRecord, type MappedRow } from './inbound-users.ts';
import {
  deprovisionGroup,
  groupMappings,
  processGroupRow,
  type GroupRow,
} from './inbound-groups.ts';

export interface InboundCycleOptions {
  job: Job;
  system: System;
  /**
   * The opened source, or why it could not be opened (the task then fails and nothing changes);
   * or a function that opens it once the task is recorded (a directory may take a while to
   * answer). Whoever opened the source closes it.
   */
  source: OpenedSource | (() => Promise<OpenedSource>);
  triggerMethod: TriggerMethod;
  trigger: Source;
  parentTaskId?: string;
  /** Called once the task is recorded (before any object is processed). */
  onTaskStarted?: (taskId: string) => void;
}

export type OpenedSource =
  | InboundSource
  | { failed: { code: string; reason: string; parameters?: Record<string, unknown> } };

export interface CycleResult {
  task: Task;
}

/**
 * Rows per hub transaction. Each commit writes every page its rows changed, and the hub's
 * indexes of names and source keys take rows all over: 500 rows to a commit write two thirds
 * of the WAL that 200 do (272 against 423 MiB for 100,000 users; 3 pairs of imports: main
 * thread 6.4-7.4 CPU s against 7.0-7.9), and hold the hub's writers back ~30 ms at most.
 */
const CHUNK = 500;
// A group carries its member list: fewer per transaction keeps one transaction short.
const GROUP_CHUNK = 50;

/**
 * One inbound cycle: every object goes through import, scoping, matching and provision into
 * the hub, and is logged as one entry; the cycle is one task. Objects a full source no longer
 * has are deprovisioned per the job, above the deletion threshold only staged for approval.
 */
export async function runInboundCycle(
  deps: { directory: DirectoryStore; log: LogStore; now?: () => number },
  opts: InboundCycleOptions,
): Promise<CycleResult> {
  const now = deps.now ?? Date.now;
  const { job, system } = opts;
  const startedAt = now();
  const ctx: CycleContext = {
    job,
    system,
    taskId: newId(startedAt),
    cycleId: newId(startedAt),
    triggerMethod: opts.triggerMethod,
    source: opts.trigger,
    now,
  };
  const csv = system.type === 'csv';
  const given = typeof opts.source === 'function' ? undefined : opts.source;
  const parametersOf = (o: OpenedSource) =>
    'failed' in o ? (o.failed.parameters ?? {}) : o.parameters;
  const task: TaskInput = {
    id: ctx.taskId,
    jobId: job.id,
    cycleId: ctx.cycleId,
    ...(opts.parentTaskId ? { parentTaskId: opts.parentTaskId } : {}),
    direction: 'inbound',
    triggerModule: 'identity_provider',
    triggerModuleName: system.name,
    triggerMethod: opts.triggerMethod,
    source: opts.trigger,
    startedAt: new Date(startedAt).toISOString(),
    parameters: { job: job.name, ...(given ? parametersOf(given) : {}) },
  };
  const pipe = new EngineLogPipe(deps.log, now);
  const write = (entries: EntryInput[], t?: TaskInput) => pipe.write(entries, t);
  const trace = new TraceFilter(system.traceLevel);
  const finish = async (extra: Partial<TaskInput>) => {
    await write([], {
      ...task,
      endedAt: new Date(now()).toISOString(),
      ...trace.taskFields(),
      ...extra,
    });
    await pipe.flush();
    const done = await deps.log.getTask(task.id);
    return { task: done! };
  };

  await write([], task);
  opts.onTaskStarted?.(task.id);
  const opened = given ?? (await (opts.source as () => Promise<OpenedSource>)());
  task.parameters = { job: job.name, ...parametersOf(opened) };
  const failEvent = csv ? 'user_csv_failed' : 'sync_error';
  if ('failed' in opened)
    return finish({
      event: failEvent,
      errorCode: opened.failed.code,
      reason: opened.failed.reason,
    });
  const source = opened;

  // Configuration errors stop the cycle before anything changes.
  const userMappings = job.mappings.filter((m) => m.objectType !== 'group');
  const withGroups = source.connector === 'ldap' && job.objectTypes.includes('group');
  let mapper: AttributeMapper;
  let groupMapper: AttributeMapper | undefined;
  try {
    mapper = new AttributeMapper(userMappings);
    if (withGroups) groupMapper = new AttributeMapper(groupMappings(job));
  } catch (err) {
    if (err instanceof ExpressionError)
      return finish({ event: failEvent, errorCode: 'ConfigurationError', reason: err.message });
    throw err;
  }
  const unknown = [
    ...new Set([
      ...mapper.unknownAttributes(source.attributes),
      ...(groupMapper?.unknownAttributes(source.attributes) ?? []),
    ]),
  ];
  if (unknown.length) {
    const has = source.attributes;
    return finish({
      event: failEvent,
      errorCode: 'MappingAttributeNotFound',
      reason: `The mappings read ${unknown.map((u) => `'${u}'`).join(', ')}, which ${system.name} does not have (it has ${has.length > 30 ? `${has.slice(0, 30).join(', ')} and ${has.length - 30} more` : has.join(', ')})`,
    });
  }
  const matchOn = job.matchingAttribute as MatchingAttribute;
  if (
    !MATCHING_ATTRIBUTES.includes(matchOn) ||
    !userMappings.some((m) => m.target === matchOn) ||
    !userMappings.some((m) => m.target === 'userName')
  ) {
    return finish({
      event: failEvent,
      errorCode: 'ConfigurationError',
      reason: `The matching attribute must be one of ${MATCHING_ATTRIBUTES.join(', ')} and be mapped, and userName must be mapped (got ${job.matchingAttribute})`,
    });
  }

  let failures = 0;
  let transientFailures = 0;
  const count = (o: Pick<Outcome, 'status' | 'errorCode'>) => {
    if (o.status === 'failure') failures++;
    if (o.status === 'failure' && o.errorCode && lookupErrorCode(o.errorCode)?.transient)
      transientFailures++;
  };
  const emit = async (o: Outcome) => {
    count(o);
    if (!trace.keep(o)) return;
    await pipe.add(inboundEntry(ctx, o));
  };
  const seen = new Set<string>();
  // Rows are applied to the hub a chunk per transaction: each chunk commits whole or not at all.
  let chunk: ReadRow[] = [];
  // Each record is mapped once, before its chunk's transaction (while the previous chunk's rows
  // may still be on their way into the hub): the look-ups need its matching value, and so does
  // processing. (Object.assign: Node 20's V8 adds a field new to a spread object on a slow
  // path, ~1 µs.)
  const mapRows = (rows: ReadRow[]): MappedRow[] =>
    rows.map((r) =>
      r.kind === 'record' ? Object.assign({}, r, { mapped: mapper.map(r.values) }) : r,
    );
  const processChunk =
    (mappedRows: MappedRow[], each: (o: Outcome) => void) => async (dir: DirectoryStore) => {
      const lookup = new ChunkLookup(dir, job.id, matchOn);
      const records = mappedRows.filter((r): r is MappedRecord => r.kind === 'record');
      const matchValues = records.flatMap(({ mapped: m }) =>
        m.outcome === 'mapped' && m.attributes[matchOn] ? [m.attributes[matchOn]] : [],
      );
      await lookup.prefetch(
        records.map((r) => r.key),
        matchValues,
      );
      for (const row of mappedRows) each(await processRow(dir, lookup, ctx, row, csv));
    };
  // The chunk again with each row written as it goes, where the row at fault fails on its own;
  // its entries go out once it is committed.
  const rowByRow = async (rows: MappedRow[]) => {
    const outcomes: Outcome[] = [];
    await deps.directory.withTransaction(processChunk(rows, (o) => void outcomes.push(o)));
    for (const o of outcomes) await emit(o);
  };
  // A chunk's new users, change events and anchors are written together (write-behind); where
  // that is all it wrote, on the log's writer thread while this one reads the next chunk
  // (withTransactionWrittenLater). `landing` settles once they are in the hub (or, should they
  // fail, once the chunk ran again row by row); the next chunk waits for it before it reads the
  // hub. The chunk's entries, packed meanwhile, wait in `landed` until the next chunk has handed
  // its own rows over: the writer thread then takes those first, and this thread waits for
  // them the less (sent at once, a chunk's entries came before the next chunk's rows there, and
  // this thread waited ~1.4 s of a 100,000-user import for its rows behind them).
  let landing: Promise<void> = Promise.resolve();
  let landed: HeldEntries | undefined;
  const sendLanded = async () => {
    const entries = landed;
    landed = undefined;
    if (entries) await pipe.release(entries);
  };
  /** Waits for the last chunk's hub rows and sends its entries. */
  const settle = async () => {
    await landing;
    await sendLanded();
  };
  const applyChunk = async () => {
    const rows = mapRows(chunk);
    chunk = [];
    await landing;
    // Each row's entry is packed as it is done (held until the chunk is in the hub), and what
    // the task counts of it kept apart, counted then.
    const held = pipe.holder();
    const tallies: Array<Pick<Outcome, 'status' | 'errorCode' | 'skipReason' | 'action'>> = [];
    let written: Promise<void>;
    try {
      ({ written } = await deps.directory.withTransactionWrittenLater(
        processChunk(rows, (o) => {
          const { status, errorCode, skipReason, action } = o;
          tallies.push({ status, errorCode, skipReason, action });
          if (trace.keeps(o)) held.add(inboundEntry(ctx, o));
        }),
      ));
    } catch {
      await sendLanded();
      return rowByRow(rows);
    }
    const entries = held.take();
    // The previous chunk's entries, now that this chunk's rows are on their way.
    await sendLanded();
    landing = written.then(
      () => {
        for (const t of tallies) {
          count(t);
          trace.keep(t);
        }
        landed = entries;
      },
      () => rowByRow(rows),
    );
    // Awaited before the next chunk and after the last; a failure surfaces there.
    landing.catch(() => undefined);
  };
  // Groups come after every user, so their members are anchored already.
  let groups: GroupRow[] = [];
  const groupNames = new Map<string, string>();
  const applyGroups = async () => {
    await settle();
    const outcomes = await deps.directory.withTransaction(async (dir) => {
      const out: Outcome[] = [];
      for (const row of groups)
        out.push(await processGroupRow(dir, ctx, groupMapper!, row, groupNames));
      return out;
    });
    groups = [];
    for (const o of outcomes) await emit(o);
  };
  let stopped: { code: string; reason: string } | undefined;
  for await (const row of source.rows) {
    if (row.kind === 'source_error') {
      stopped = row;
      break;
    }
    if (row.objectType === 'group') {
      if (!groupMapper) continue;
      if (row.key !== undefined) seen.add(row.key);
      if (chunk.length) await applyChunk();
      groups.push(row);
      if (groups.length >= GROUP_CHUNK) await applyGroups();
      continue;
    }
    if (row.key !== undefined) seen.add(row.key);
    chunk.push(row);
    if (chunk.length >= CHUNK) await applyChunk();
  }
  if (chunk.length) await applyChunk();
  await settle();
  if (groups.length) await applyGroups();

  // Objects an incremental run saw are back, whatever a full run found before.
  if (!source.full && !stopped && seen.size && (job.deprovisionGraceDays ?? 0) > 0)
    await deps.directory.clearAnchorsMissing(job.id, [...seen]);
  // An incomplete source must not deprovision what it failed to list.
  if (source.full && !stopped && (job.deprovision ?? 'none') !== 'none') {
    const anchors = await deps.directory.anchors(job.id);
    // Objects back in the source end their grace periods.
    const back = anchors.filter((a) => a.missingSince !== null && seen.has(a.sourceKey));
    if (back.length)
      await deps.directory.clearAnchorsMissing(
        job.id,
        back.map((a) => a.sourceKey),
      );
    const gone = anchors.filter((a) => !seen.has(a.sourceKey) && a.objectType === 'user');
    // Deletion protection counts what this cycle would change: not objects already disabled
    // and waiting out a grace period.
    const graceMs = job.deprovision === 'delete' ? (job.deprovisionGraceDays ?? 0) * 86_400_000 : 0;
    const waiting = (a: (typeof gone)[number]) =>
      graceMs > 0 && a.missingSince !== null && ctx.now() < a.missingSince + graceMs;
    const acting = gone.filter((a) => !waiting(a));
    const threshold = job.deletionThreshold;
    const held = threshold !== undefined && acting.length > threshold;
    for (const a of gone)
      await emit(await deprovision(deps.directory, ctx, a, held && !waiting(a), acting.length));
    const goneGroups = groupMapper
      ? anchors.filter((a) => !seen.has(a.sourceKey) && a.objectType === 'group')
      : [];
    const heldGroups = threshold !== undefined && goneGroups.length > threshold;
    for (const a of goneGroups)
      await emit(await deprovisionGroup(deps.directory, ctx, a, heldGroups, goneGroups.length));
  }
  // The next incremental run starts from here unless this one stopped or met a failure that a
  // re-read could cure; data errors are cured in the source, which marks the entry changed.
  const since = source.parameters.since;
  const watermark =
    stopped || transientFailures
      ? typeof since === 'string'
        ? since
        : undefined
      : source.nextWatermark?.();
  const finalParameters = watermark ? { ...task.parameters, watermark } : task.parameters;
  if (stopped)
    return finish({
      event: failEvent,
      errorCode: stopped.code,
      reason: `${stopped.reason}; reading stopped, so nothing was deprovisioned`,
      ...(finalParameters ? { parameters: finalParameters } : {}),
    });
  const event = csv
    ? failures
      ? 'user_csv_processed_with_errors'
      : 'user_csv_processed'
    : failures
      ? 'sync_error'
      : 'account_synchronization';
  return finish({ event, ...(finalParameters ? { parameters: finalParameters } : {}) });
}

type ReadRow = Exclude<SourceRow, { kind: 'source_error' }>;
