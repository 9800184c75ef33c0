import type { Actor, EntryInput, ModifiedProperty, Step } from '../model/entry.ts';
import type { Action, EntryStatus, SkipReason, Source, TriggerMethod } from '../model/enums.ts';
import { newId } from '../model/ids.ts';
import type { Job, System } from '../model/job.ts';
import { lookupErrorCode } from '../model/error-codes.ts';

export const HUB_SYSTEM = { id: 'provlog', name: 'provlog hub' } as const;

export interface CycleContext {
  job: Job;
  system: System;
  taskId: string;
  cycleId: string;
  triggerMethod: TriggerMethod;
  source: Source;
  now: () => number;
}

export interface Outcome {
  /** Default user. */
  objectType?: 'user' | 'group';
  action: Action;
  status: EntryStatus;
  skipReason?: SkipReason;
  errorCode?: string;
  reason?: string;
  steps: Step[];
  modifiedProperties?: ModifiedProperty[];
  sourceKey?: string;
  sourceName?: string;
  hubId?: string;
  hubName?: string;
  startedAt: number;
  /** Another attempt at an earlier operation (e.g. an approved staged deletion) keeps its id. */
  operationId?: string;
  /** Who approved this change, where one had to. */
  approver?: Actor;
}

/**
 * One inbound entry: the four steps, what changed, and on failure the catalog code and reason.
 * Built field by field (no conditional spreads): a cycle builds one per object.
 */
export function inboundEntry(ctx: CycleContext, o: Outcome): EntryInput {
  const time = ctx.now();
  return entryAt(ctx, o, time, newId(time));
}

/** The inbound entry with a given time and change id (`inboundEntry` takes the clock's, a new id). */
export function entryAt(ctx: CycleContext, o: Outcome, time: number, changeId: string): EntryInput {
  const e = {
    changeId,
    taskId: ctx.taskId,
    jobId: ctx.job.id,
    cycleId: ctx.cycleId,
    operationId: o.operationId ?? changeId,
    time: new Date(time).toISOString(),
    durationMs: Math.max(0, time - o.startedAt),
    direction: 'inbound',
    triggerModule: 'identity_provider',
    triggerModuleName: ctx.system.name,
    triggerMethod: ctx.triggerMethod,
    source: ctx.source,
  } as EntryInput;
  outcomeFields(e, o);
  e.sourceSystem = { id: ctx.system.id, name: ctx.system.name };
  e.targetSystem = { id: HUB_SYSTEM.id, name: HUB_SYSTEM.name };
  e.steps = o.steps;
  closingFields(e, o);
  return e;
}

/** What the outcome says of the object, in the entry's field order. */
function outcomeFields(e: Partial<EntryInput>, o: Outcome): void {
  e.objectType = o.objectType ?? 'user';
  e.action = o.action;
  e.status = o.status;
  if (o.skipReason) e.skipReason = o.skipReason;
  if (o.errorCode) {
    e.errorCode = o.errorCode;
    e.errorCategory = lookupErrorCode(o.errorCode)?.transient ? 'transient' : 'permanent';
  }
  if (o.reason) e.reason = o.reason;
  const sourceIdentity: EntryInput['sourceIdentity'] = { id: o.sourceKey ?? '(no key)' };
  if (o.sourceName) sourceIdentity.displayName = o.sourceName;
  sourceIdentity.type = 'record';
  e.sourceIdentity = sourceIdentity;
  if (o.hubId) {
    const target: EntryInput['targetIdentity'] = { id: o.hubId };
    if (o.hubName) target.displayName = o.hubName;
    target.type = o.objectType === 'group' ? 'Group' : 'User';
    e.targetIdentity = target;
  }
}

/** Who approved and what changed: the entry's last fields. */
function closingFields(e: Partial<EntryInput>, o: Outcome): void {
  if (o.approver) {
    e.approver = o.approver;
    e.actor = o.approver;
  }
  if (o.modifiedProperties?.length) e.modifiedProperties = o.modifiedProperties;
}

export const step = (
  name: Step['name'],
  status: Step['status'],
  description: string,
  details?: Step['details'],
): Step => (details ? { name, status, description, details } : { name, status, description });
