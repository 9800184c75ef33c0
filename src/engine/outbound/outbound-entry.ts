import type { AttemptRecord } from '../../connectors/scim/attempt-record.ts';
import type { Actor, EntryInput, ModifiedProperty, Step } from '../../model/entry.ts';
import type { Action, EntryStatus, SkipReason, Source, TriggerMethod } from '../../model/enums.ts';
import { newId } from '../../model/ids.ts';
import type { Job, System } from '../../model/job.ts';
import { HUB_SYSTEM } from '../entry-builder.ts';

/** Who and what an outbound entry belongs to. `taskId` null: a single change (log entry only). */
export interface OutboundContext {
  job: Job;
  system: System;
  taskId: string | null;
  cycleId?: string;
  triggerMethod: TriggerMethod;
  source: Source;
  actor?: Actor;
  now: () => number;
}

/** What happened to one object in one attempt. */
export interface OutboundOutcome {
  objectType: 'user' | 'group';
  action: Action;
  status: EntryStatus;
  skipReason?: SkipReason;
  errorCode?: string;
  /** Whether the failure may go away by itself (the catalog says); decides a retry. */
  transient?: boolean;
  retryAfterMs?: number;
  reason?: string;
  steps: Step[];
  modifiedProperties?: ModifiedProperty[];
  hubId: string;
  hubName?: string;
  targetId?: string;
  startedAt: number;
  /** The exchange that decided (already redacted); a dry run's is the request it would send. */
  lastAttempt?: Pick<AttemptRecord, 'request' | 'response'>;
  /** HTTP exchanges made (discovery, matching, the write). */
  exchanges: number;
}

/** Retry bookkeeping decided by the engine from the job's policy. */
export interface AttemptState {
  operationId?: string;
  attempt: number;
  maxAttempts: number;
  retryAt?: number;
}

/** One outbound entry: the four steps, old → new, the last exchange, the retry state. */
export function outboundEntry(
  ctx: OutboundContext,
  o: OutboundOutcome,
  a: AttemptState,
): EntryInput {
  const time = ctx.now();
  const changeId = newId(time);
  const type = o.objectType === 'user' ? 'User' : 'Group';
  return {
    changeId,
    taskId: ctx.taskId,
    jobId: ctx.job.id,
    ...(ctx.cycleId ? { cycleId: ctx.cycleId } : {}),
    operationId: a.operationId ?? changeId,
    time: new Date(time).toISOString(),
    durationMs: Math.max(0, time - o.startedAt),
    direction: 'outbound',
    triggerModule: 'application',
    triggerModuleName: ctx.system.name,
    triggerMethod: ctx.triggerMethod,
    source: ctx.source,
    objectType: o.objectType,
    action: o.action,
    status: o.status,
    ...(o.skipReason ? { skipReason: o.skipReason } : {}),
    ...(o.errorCode
      ? {
          errorCode: o.errorCode,
          errorCategory: o.transient && a.retryAt !== undefined ? 'transient' : 'permanent',
        }
      : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(a.retryAt !== undefined ? { retryAt: new Date(a.retryAt).toISOString() } : {}),
    attempt: a.attempt,
    maxAttempts: a.maxAttempts,
    sourceIdentity: { id: o.hubId, ...(o.hubName ? { displayName: o.hubName } : {}), type },
    ...(o.targetId
      ? {
          targetIdentity: {
            id: o.targetId,
            ...(o.hubName ? { displayName: o.hubName } : {}),
            type,
          },
        }
      : {}),
    sourceSystem: { ...HUB_SYSTEM },
    targetSystem: { id: ctx.system.id, name: ctx.system.name },
    steps: o.steps,
    ...(o.modifiedProperties?.length ? { modifiedProperties: o.modifiedProperties } : {}),
    ...(o.lastAttempt ? { request: o.lastAttempt.request } : {}),
    ...(o.lastAttempt?.response ? { response: o.lastAttempt.response } : {}),
    ...(ctx.actor ? { actor: ctx.actor } : {}),
  };
}
