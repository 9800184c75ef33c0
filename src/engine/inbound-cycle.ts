import type { EntryInput } from '../model/entry.ts';
import type { Source, TriggerMethod } from '../model/enums.ts';
import type { HubUser } from '../model/directory.ts';
import type { Job, System } from '../model/job.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import type { Task, TaskInput } from '../model/task.ts';
import { newId } from '../model/ids.ts';
import type { LogStore } from '../store/log-store.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { DirectoryError } from '../store/directory/directory-errors.ts';
import { writeEngineRecords } from './engine-log.ts';
import { carryOutDeprovision } from './deprovision.ts';
import { AttributeMapper, type MapOutcome } from './attribute-mapper.ts';
import { ExpressionError } from './expression.ts';
import { evaluateScope } from './scoping.ts';
import { inboundEntry, step, type CycleContext, type Outcome } from './entry-builder.ts';
import { toHubUser } from './hub-user-attributes.ts';
import type { InboundSource, SourceRow } from './source-row.ts';
import { ChunkLookup } from './chunk-lookup.ts';
import { MATCHING_ATTRIBUTES, type MatchingAttribute } from '../store/directory/directory-store.ts';
import { TraceFilter } from './trace-level.ts';
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

const FLUSH_EVERY = 500;
const CHUNK = 200;
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
  const write = (entries: EntryInput[], t?: TaskInput) =>
    writeEngineRecords(deps.log, now(), entries, t);
  const trace = new TraceFilter(system.traceLevel);
  const finish = async (extra: Partial<TaskInput>) => {
    await write([], {
      ...task,
      endedAt: new Date(now()).toISOString(),
      ...trace.taskFields(),
      ...extra,
    });
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

  const buffer: EntryInput[] = [];
  let failures = 0;
  let transientFailures = 0;
  const emit = async (o: Outcome) => {
    if (o.status === 'failure') failures++;
    if (o.status === 'failure' && o.errorCode && lookupErrorCode(o.errorCode)?.transient)
      transientFailures++;
    if (!trace.keep(o)) return;
    buffer.push(inboundEntry(ctx, o));
    if (buffer.length >= FLUSH_EVERY) await write(buffer.splice(0));
  };
  const seen = new Set<string>();
  // Rows are applied to the hub a chunk per transaction: each chunk commits whole or not at all.
  let chunk: ReadRow[] = [];
  const applyChunk = async () => {
    const outcomes = await deps.directory.withTransaction(async (dir) => {
      const lookup = new ChunkLookup(dir, job.id, matchOn);
      // Each record is mapped once: the look-ups need its matching value, and so does processing.
      const rows: MappedRow[] = chunk.map((r) =>
        r.kind === 'record' ? { ...r, mapped: mapper.map(r.values) } : r,
      );
      const records = rows.filter((r): r is MappedRecord => r.kind === 'record');
      const matchValues = records.flatMap(({ mapped: m }) =>
        m.outcome === 'mapped' && m.attributes[matchOn] ? [m.attributes[matchOn]] : [],
      );
      await lookup.prefetch(
        records.map((r) => r.key),
        matchValues,
      );
      const out: Outcome[] = [];
      for (const row of rows) out.push(await processRow(dir, lookup, ctx, row, csv));
      return out;
    });
    chunk = [];
    for (const o of outcomes) await emit(o);
  };
  // Groups come after every user, so their members are anchored already.
  let groups: GroupRow[] = [];
  const groupNames = new Map<string, string>();
  const applyGroups = async () => {
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
  if (buffer.length) await write(buffer.splice(0));
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
type MappedRecord = Extract<SourceRow, { kind: 'record' }> & { mapped: MapOutcome };
type MappedRow = Extract<SourceRow, { kind: 'row_error' }> | MappedRecord;

async function processRow(
  directory: DirectoryStore,
  lookup: ChunkLookup,
  ctx: CycleContext,
  row: MappedRow,
  csv: boolean,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const at = row.line !== undefined ? ` (line ${row.line})` : '';
  if (row.kind === 'row_error') {
    return {
      action: 'other',
      status: 'failure',
      errorCode: row.code,
      reason: `${row.reason}${at}`,
      startedAt,
      ...(row.key ? { sourceKey: row.key } : {}),
      steps: [
        step(
          'import',
          'failure',
          `Could not read the object${at}: ${row.reason}`,
          row.line !== undefined ? { line: row.line } : undefined,
        ),
      ],
    };
  }
  const details = {
    ...(row.line !== undefined ? { line: row.line } : {}),
    key: row.key,
    // A directory entry's DN: its key (entryUUID) survives renames, the DN is what people read.
    ...(ctx.system.type === 'ldap' && row.values.dn ? { dn: row.values.dn } : {}),
  };
  const steps = [
    step('import', 'success', `Imported ${row.key} from ${ctx.system.name}${at}`, details),
  ];
  const base = { sourceKey: row.key, startedAt, steps };
  const { mapped } = row;
  if (mapped.outcome === 'missing') {
    const names = mapped.missing.map((m) => `'${m}'`).join(', ');
    steps.push(step('scoping', 'skipped', 'Not evaluated: required attributes are missing'));
    return {
      ...base,
      action: 'other',
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: `Required attribute ${names} is missing${at}`,
    };
  }
  const attrs = mapped.attributes;
  const name = attrs.displayName ?? attrs.userName;
  const named = { ...base, ...(name ? { sourceName: name } : {}) };
  const scope = evaluateScope(ctx.job.scoping, { ...row.values, ...attrs });
  const anchoredId = await lookup.anchor(row.key);
  if (!scope.inScope) {
    steps.push(step('scoping', 'skipped', `Out of scope: ${scope.reason}`));
    if (!anchoredId)
      return {
        ...named,
        action: 'other',
        status: 'skipped',
        skipReason: 'out_of_scope',
        reason: `Out of scope: ${scope.reason}`,
      };
    // Provisioned before and now out of scope: deprovision (disable), as Entra does.
    const user = await lookup.user(anchoredId);
    if (!user || !user.active)
      return {
        ...named,
        action: 'other',
        status: 'skipped',
        skipReason: 'out_of_scope',
        reason: `Out of scope: ${scope.reason}`,
      };
    lookup.noteUser(
      await directory.setUserActive(user.id, false, {
        type: 'job',
        id: ctx.job.id,
        taskId: ctx.taskId,
      }),
    );
    steps.push(
      step('provision', 'success', `Disabled ${user.userName} in the hub: it left the scope`),
    );
    return {
      ...named,
      action: 'disable',
      status: 'success',
      hubId: user.id,
      hubName: user.displayName,
      modifiedProperties: [{ name: 'active', oldValue: 'true', newValue: 'false' }],
    };
  }
  steps.push(step('scoping', 'success', 'In scope'));
  const { user: input, errors } = toHubUser(attrs);
  if (errors.length) {
    steps.push(step('matching', 'skipped', 'Not evaluated: invalid values'));
    const list = errors.map((e) => `${e.field.replace(/^\//, '')}: ${e.message}`).join('; ');
    return {
      ...named,
      action: 'other',
      status: 'failure',
      errorCode: csv ? 'CsvInvalidValue' : 'SchemaPropertyCanOnlyAcceptValue',
      reason: `Invalid value${at}: ${list}`,
    };
  }
  const matchOn = ctx.job.matchingAttribute as MatchingAttribute;
  const value: string | undefined = input[matchOn] ?? undefined;
  let match: HubUser | undefined = anchoredId ? await lookup.user(anchoredId) : undefined;
  const how = match ? 'anchor' : matchOn;
  if (!match && value === undefined) {
    steps.push(step('matching', 'failure', `The matching attribute ${matchOn} is empty`));
    return {
      ...named,
      action: 'other',
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: `The matching attribute ${matchOn} is empty${at}`,
    };
  }
  if (!match) {
    const candidates = await lookup.usersByMatch(value as string);
    if (candidates.length > 1) {
      const names = candidates.map((u) => u.userName).join(', ');
      const reason = `${candidates.length} hub users have ${matchOn} ${value}: ${names}; make it unique or match on another attribute`;
      steps.push(
        step('matching', 'failure', reason, {
          matchingAttribute: matchOn,
          sourceValue: value as string,
        }),
      );
      return {
        ...named,
        action: 'other',
        status: 'failure',
        errorCode: 'DuplicateTargetEntries',
        reason: `${reason}${at}`,
      };
    }
    match = candidates[0];
  }
  steps.push(
    step(
      'matching',
      'success',
      match
        ? `Matched hub user ${match.userName} by ${how}`
        : `No hub user has ${matchOn} ${value}: will create`,
      {
        matchingAttribute: matchOn,
        ...(value !== undefined ? { sourceValue: value } : {}),
        ...(match ? { hubId: match.id } : {}),
      },
    ),
  );
  const actor = { type: 'job' as const, id: ctx.job.id, taskId: ctx.taskId };
  try {
    if (!match) {
      const created = await directory.createUser(input, actor);
      await directory.setAnchor(ctx.job.id, row.key, 'user', created.id);
      lookup.noteUser(created);
      lookup.noteAnchor(row.key, created.id);
      steps.push(step('provision', 'success', `Created ${created.userName} in the hub`));
      const props = Object.entries(attrs).map(([n, v]) => ({
        name: n,
        oldValue: null,
        newValue: v,
      }));
      return {
        ...named,
        action: 'create',
        status: 'success',
        hubId: created.id,
        hubName: created.displayName,
        modifiedProperties: props,
      };
    }
    if (!anchoredId) {
      await directory.setAnchor(ctx.job.id, row.key, 'user', match.id);
      lookup.noteAnchor(row.key, match.id);
    }
    // Matched by anchor or another attribute, the object may have been renamed in the source:
    // its userName follows.
    const { userName, ...rest } = input;
    const patch = how !== 'userName' && userName !== match.userName ? input : rest;
    const { user, changes } = Object.keys(patch).length
      ? await directory.updateUser(match.id, patch, actor, undefined, match)
      : { user: match, changes: [] };
    lookup.noteUser(user, match);
    const props = changes.map((c) => ({
      name: c.name,
      oldValue: stringify(c.oldValue),
      newValue: stringify(c.newValue),
    }));
    if (!user.active) {
      const enabled = await directory.setUserActive(user.id, true, actor);
      lookup.noteUser(enabled, user);
      steps.push(
        step(
          'provision',
          'success',
          `Enabled ${enabled.userName} in the hub: it is back in the source`,
        ),
      );
      return {
        ...named,
        action: 'enable',
        status: 'success',
        hubId: user.id,
        hubName: user.displayName,
        modifiedProperties: [...props, { name: 'active', oldValue: 'false', newValue: 'true' }],
      };
    }
    if (changes.length === 0) {
      steps.push(
        step('provision', 'skipped', 'No change needed: the hub already holds these values'),
      );
      return {
        ...named,
        action: 'update',
        status: 'skipped',
        skipReason: 'no_change',
        hubId: user.id,
        hubName: user.displayName,
        reason: 'No change needed',
      };
    }
    steps.push(
      step(
        'provision',
        'success',
        `Updated ${changes.length} attribute(s) of ${user.userName} in the hub`,
      ),
    );
    return {
      ...named,
      action: 'update',
      status: 'success',
      hubId: user.id,
      hubName: user.displayName,
      modifiedProperties: props,
    };
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    const code =
      err.kind === 'conflict'
        ? 'EntryConflict'
        : err.kind === 'invalid'
          ? csv
            ? 'CsvInvalidValue'
            : 'SchemaPropertyCanOnlyAcceptValue'
          : 'InvalidAnchor';
    steps.push(step('provision', 'failure', err.message));
    return {
      ...named,
      action: match ? 'update' : 'create',
      status: 'failure',
      errorCode: code,
      reason: `${err.message}${at}`,
    };
  }
}

async function deprovision(
  directory: DirectoryStore,
  ctx: CycleContext,
  a: { sourceKey: string; objectId: string; missingSince: number | null },
  held: boolean,
  total: number,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const user = await directory.getUser(a.objectId);
  const steps = [step('import', 'skipped', `${a.sourceKey} is no longer in ${ctx.system.name}`)];
  const base = {
    sourceKey: a.sourceKey,
    startedAt,
    steps,
    ...(user
      ? { hubId: user.id, hubName: user.displayName, sourceName: user.displayName }
      : { hubId: a.objectId }),
  };
  if (!user) {
    await directory.removeAnchor(ctx.job.id, a.sourceKey);
    return {
      ...base,
      action: 'delete',
      status: 'skipped',
      skipReason: 'no_change',
      reason: 'Already gone from the hub',
    };
  }
  steps.push(
    step('scoping', 'success', 'Provisioned by this job before'),
    step('matching', 'success', `Anchored to hub user ${user.userName}`),
  );
  // With a grace period, a delete job's first step is to disable.
  const disablesFirst = (ctx.job.deprovisionGraceDays ?? 0) > 0 && a.missingSince === null;
  const mode = ctx.job.deprovision === 'delete' && !disablesFirst ? 'delete' : 'disable';
  if (held) {
    const reason = `Deletion protection: ${total} objects would be ${mode === 'delete' ? 'deleted' : 'disabled'}, more than the threshold of ${ctx.job.deletionThreshold}; waiting for an operator's approval`;
    steps.push(step('provision', 'pending', reason));
    return { ...base, action: 'staged_delete', status: 'pending', reason };
  }
  return { ...base, ...(await carryOutDeprovision(directory, ctx, user, a, steps)) };
}

const stringify = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
