import type { AttemptFailure } from '../../connectors/scim/attempt-record.ts';
import type { ScimResult } from '../../connectors/scim/scim-result.ts';
import type { Action } from '../../model/enums.ts';
import { step } from '../entry-builder.ts';
import type { OutboundOutcome } from './outbound-entry.ts';

/**
 * What one attempt on one object accumulates — its steps, the HTTP exchanges it made and the
 * one that decided — and the outcomes built from them (`sync-user.ts`, `sync-group.ts`).
 */
export class OutcomeRecorder {
  readonly steps: OutboundOutcome['steps'] = [];
  /** The exchange that decided (redacted); a dry run sets the request it would send. */
  lastAttempt: OutboundOutcome['lastAttempt'];
  hubName: string | undefined;
  private exchanges = 0;

  constructor(
    private readonly objectType: OutboundOutcome['objectType'],
    private readonly hubId: string,
    private readonly startedAt: number,
  ) {}

  /** Counts a connector call's exchanges and keeps its last one. */
  readonly track = <T>(r: ScimResult<T>): ScimResult<T> => {
    this.exchanges += r.attempts.length;
    const last = r.attempts.at(-1);
    if (last)
      this.lastAttempt = {
        request: last.request,
        ...(last.response ? { response: last.response } : {}),
      };
    return r;
  };

  readonly base = () => ({
    objectType: this.objectType,
    hubId: this.hubId,
    ...(this.hubName ? { hubName: this.hubName } : {}),
    startedAt: this.startedAt,
    steps: this.steps,
    exchanges: this.exchanges,
    ...(this.lastAttempt ? { lastAttempt: this.lastAttempt } : {}),
  });

  readonly failed = (
    action: Action,
    f: Pick<AttemptFailure, 'code' | 'reason'> & Partial<AttemptFailure>,
    targetId?: string,
  ): OutboundOutcome => ({
    ...this.base(),
    action,
    status: 'failure',
    errorCode: f.code,
    reason: f.reason,
    transient: f.transient ?? false,
    ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
    ...(targetId ? { targetId } : {}),
  });

  /**
   * A dry run: the request it would send is recorded as the attempt, nothing is sent, and the
   * object waits as "needs action".
   */
  readonly dryRun = (
    action: Action,
    request: NonNullable<OutboundOutcome['lastAttempt']>['request'],
    would: string,
    extra: Pick<OutboundOutcome, 'targetId' | 'modifiedProperties'> = {},
  ): OutboundOutcome => {
    this.lastAttempt = { request };
    this.steps.push(step('provision', 'skipped', `Dry run: would ${would}; nothing was sent`));
    return {
      ...this.base(),
      action,
      status: 'skipped',
      skipReason: 'needs_action',
      reason: 'Dry run: nothing was sent',
      ...extra,
    };
  };

  /**
   * The target already holds what the hub says. A retry that finds the work done (e.g. the
   * earlier attempt timed out after the target acted) has succeeded: it resolves the failure.
   */
  readonly upToDate = (
    retry: boolean | undefined,
    targetId: string,
    holds: string,
  ): OutboundOutcome => {
    this.steps.push(step('provision', 'skipped', `No change needed: ${holds}`));
    return retry
      ? {
          ...this.base(),
          action: 'update',
          status: 'success',
          targetId,
          reason: 'Already up to date in the target',
        }
      : {
          ...this.base(),
          action: 'update',
          status: 'skipped',
          skipReason: 'no_change',
          targetId,
          reason: 'No change needed',
        };
  };

  /** The hub object is gone and the job never provisioned it: nothing to do in the target. */
  readonly goneNeverProvisioned = (systemName: string): OutboundOutcome => {
    this.steps.push(this.goneStep());
    this.steps.push(step('scoping', 'skipped', 'Never provisioned by this job'));
    return {
      ...this.base(),
      action: 'delete',
      status: 'skipped',
      skipReason: 'no_change',
      reason: `Not in the hub and never provisioned to ${systemName}`,
    };
  };

  /** The hub object is gone and the job provisioned it: it goes on to be deprovisioned. */
  readonly goneProvisioned = (): void => {
    this.steps.push(this.goneStep());
    this.steps.push(step('scoping', 'success', 'Provisioned by this job before'));
  };

  private goneStep() {
    return step('import', 'skipped', `Hub ${this.objectType} ${this.hubId} no longer exists`);
  }
}
