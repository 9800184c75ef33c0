import type { Entry } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import { applicationId, identityText } from './entry-columns.ts';
import type { EntriesTable } from './db-types.ts';

/** The columns an entry is filtered by; the rest of it travels in `doc`. */
export type EntryColumns = Omit<
  EntriesTable,
  'seq' | 'doc' | 'resolved_by' | 'identity_id' | 'application_id'
>;

export interface EntryRow extends EntryColumns {
  doc: string;
  resolved_by: string | null;
}

/** The fields of an entry that are columns (filters, accounting); the rest travels in `doc`. */
export type EntryHead = Pick<
  Entry,
  | 'changeId'
  | 'time'
  | 'taskId'
  | 'jobId'
  | 'cycleId'
  | 'operationId'
  | 'direction'
  | 'status'
  | 'action'
  | 'objectType'
  | 'skipReason'
  | 'errorCode'
  | 'triggerModule'
  | 'triggerMethod'
  | 'source'
  | 'sourceSystem'
  | 'targetSystem'
  | 'retryAt'
>;

/**
 * An entry ready for a store: its columns, everything else as one JSON document, and its folded
 * identity text. Preparing is pure CPU work with no store in sight, so it can run on another
 * thread (ingest/prepare-pool.ts) while the store writes the previous batch.
 */
export interface PreparedEntry {
  head: EntryHead;
  doc: string;
  identity: string;
}

/** The text fields of an entry's head, each a column of its own. */
export const HEAD_TEXT_FIELDS = [
  'changeId',
  'time',
  'taskId',
  'jobId',
  'cycleId',
  'operationId',
  'direction',
  'status',
  'action',
  'objectType',
  'skipReason',
  'errorCode',
  'triggerModule',
  'triggerMethod',
  'source',
  'retryAt',
] as const satisfies ReadonlyArray<keyof EntryHead>;

/** The fields of an entry that `doc` leaves out: its columns (EntryHead) and the derived ones. */
const NOT_IN_DOC = new Set<string>([
  ...HEAD_TEXT_FIELDS,
  'sourceSystem',
  'targetSystem',
  'resolvedBy',
  'state',
] satisfies Array<keyof EntryHead | 'resolvedBy' | 'state'>);

/**
 * Splits an entry into its filter columns and a JSON document of everything else. Nothing is
 * stored twice, which keeps rows small — the ingest rate is bound by bytes written. Derived
 * fields (resolvedBy, state) are not stored: the store computes them.
 */
export function prepareEntry(e: Entry): PreparedEntry {
  const head: EntryHead = {
    changeId: e.changeId,
    time: e.time,
    taskId: e.taskId,
    operationId: e.operationId,
    direction: e.direction,
    status: e.status,
    action: e.action,
    objectType: e.objectType,
    triggerMethod: e.triggerMethod,
  };
  if (e.jobId !== undefined) head.jobId = e.jobId;
  if (e.cycleId !== undefined) head.cycleId = e.cycleId;
  if (e.skipReason !== undefined) head.skipReason = e.skipReason;
  if (e.errorCode !== undefined) head.errorCode = e.errorCode;
  if (e.triggerModule !== undefined) head.triggerModule = e.triggerModule;
  if (e.source !== undefined) head.source = e.source;
  if (e.retryAt !== undefined) head.retryAt = e.retryAt;
  // System names are kept in the systems table; the doc keeps only what is not a column.
  if (e.sourceSystem !== undefined) head.sourceSystem = e.sourceSystem;
  if (e.targetSystem !== undefined) head.targetSystem = e.targetSystem;
  // The rest in the entry's own key order (a loop costs half an object rest pattern here).
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(e)) if (!NOT_IN_DOC.has(key)) rest[key] = e[key as keyof Entry];
  return { head, doc: JSON.stringify(rest), identity: identityText(e) };
}

/** Rebuilds the entry from a row; `systemName` answers a system id with its name. */
export function entryFromColumns(
  row: EntryRow,
  systemName: (id: string) => string,
  now = Date.now(),
): Entry {
  const rest = JSON.parse(row.doc) as Partial<Entry>;
  const entry: Entry = {
    changeId: row.change_id,
    time: new Date(row.time).toISOString(),
    taskId: row.task_id,
    ...(row.job_id !== null ? { jobId: row.job_id } : {}),
    ...(row.cycle_id !== null ? { cycleId: row.cycle_id } : {}),
    // The embedded store keeps an operation id only where it is not the change id (migration 9).
    operationId: row.operation_id ?? row.change_id,
    direction: row.direction as Entry['direction'],
    status: row.status as Entry['status'],
    action: row.action as Entry['action'],
    objectType: row.object_type as Entry['objectType'],
    ...(row.skip_reason !== null ? { skipReason: row.skip_reason as Entry['skipReason'] } : {}),
    ...(row.error_code !== null ? { errorCode: row.error_code } : {}),
    ...(row.trigger_module !== null
      ? { triggerModule: row.trigger_module as Entry['triggerModule'] }
      : {}),
    triggerMethod: row.trigger_method as Entry['triggerMethod'],
    ...(row.source !== null ? { source: row.source as Entry['source'] } : {}),
    ...(row.source_system_id !== null
      ? { sourceSystem: { id: row.source_system_id, name: systemName(row.source_system_id) } }
      : {}),
    ...(row.target_system_id !== null
      ? { targetSystem: { id: row.target_system_id, name: systemName(row.target_system_id) } }
      : {}),
    ...(row.retry_at !== null ? { retryAt: new Date(row.retry_at).toISOString() } : {}),
    ...rest,
  };
  if (entry.status === 'failure') {
    entry.resolvedBy = row.resolved_by;
    if (row.resolved_by) entry.state = 'resolved';
    else if (row.retry_at !== null && row.retry_at > now) entry.state = 'retrying';
  }
  return entry;
}

export const ENTRY_SELECT_COLUMNS = [
  'seq',
  'change_id',
  'time',
  'task_id',
  'job_id',
  'cycle_id',
  'operation_id',
  'direction',
  'status',
  'action',
  'object_type',
  'skip_reason',
  'error_code',
  'trigger_module',
  'trigger_method',
  'source',
  'source_system_id',
  'target_system_id',
  'retry_at',
  'resolved_by',
  'doc',
] as const;

/**
 * The values of one entries row, in the column order of every store's INSERT:
 * change_id … target_system_id, application_id, identity_id, retry_at, doc.
 */
export function entryRowValues(p: PreparedEntry, identityId: number): unknown[] {
  const e = p.head;
  return [
    e.changeId,
    Date.parse(e.time),
    e.taskId,
    e.jobId ?? null,
    e.cycleId ?? null,
    e.operationId,
    e.direction,
    e.status,
    e.action,
    e.objectType,
    e.skipReason ?? null,
    e.errorCode ?? null,
    e.triggerModule ?? null,
    e.triggerMethod,
    e.source ?? null,
    e.sourceSystem?.id ?? null,
    e.targetSystem?.id ?? null,
    applicationId(e),
    identityId,
    e.retryAt ? Date.parse(e.retryAt) : null,
    p.doc,
  ];
}

/** The values of one tasks row, in the column order of every store's task upsert. */
export function taskRowValues(t: TaskInput, doc: string): unknown[] {
  return [
    t.id,
    t.jobId ?? null,
    t.cycleId ?? null,
    t.parentTaskId ?? null,
    t.direction,
    t.triggerModule,
    t.triggerModuleName,
    t.triggerMethod,
    t.source ?? null,
    Date.parse(t.startedAt),
    t.endedAt ? Date.parse(t.endedAt) : null,
    t.status === 'initial' ? 1 : 0,
    t.event ?? null,
    t.errorCode ?? null,
    t.reason ?? null,
    doc,
  ];
}
