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

/** One inbound entry: the four steps, what changed, and on failure the catalog code and reason. */
export function inboundEntry(ctx: CycleContext, o: Outcome): EntryInput {
  const time = ctx.now();
  const changeId = newId(time);
  const info = o.errorCode ? lookupErrorCode(o.errorCode) : undefined;
  return {
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
    objectType: o.objectType ?? 'user',
    action: o.action,
    status: o.status,
    ...(o.skipReason ? { skipReason: o.skipReason } : {}),
    ...(o.errorCode
      ? { errorCode: o.errorCode, errorCategory: info?.transient ? 'transient' : 'permanent' }
      : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    sourceIdentity: {
      id: o.sourceKey ?? '(no key)',
      ...(o.sourceName ? { displayName: o.sourceName } : {}),
      type: 'record',
    },
    ...(o.hubId
      ? {
          targetIdentity: {
            id: o.hubId,
            ...(o.hubName ? { displayName: o.hubName } : {}),
            type: o.objectType === 'group' ? 'Group' : 'User',
          },
        }
      : {}),
    sourceSystem: { id: ctx.system.id, name: ctx.system.name },
    targetSystem: { ...HUB_SYSTEM },
    steps: o.steps,
    ...(o.approver ? { approver: o.approver, actor: o.approver } : {}),
    ...(o.modifiedProperties?.length ? { modifiedProperties: o.modifiedProperties } : {}),
  };
}

export const step = (
  name: Step['name'],
  status: Step['status'],
  description: string,
  details?: Step['details'],
): Step => ({
  name,
  status,
  description,
  ...(details ? { details } : {}),
});
