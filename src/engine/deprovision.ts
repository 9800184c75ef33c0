import type { HubUser } from '../model/directory.ts';
import type { Step } from '../model/entry.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { step, type CycleContext, type Outcome } from './entry-builder.ts';

export type DeprovisionResult = Pick<
  Outcome,
  'action' | 'status' | 'skipReason' | 'reason' | 'modifiedProperties'
>;

const DAY_MS = 86_400_000;

/**
 * Deprovisions a hub user the job's source no longer has: delete (and forget its anchor) or
 * disable, per the job. With a grace period, a delete job disables first, notes when the
 * object went missing, and deletes once it has stayed gone that long. Appends the provision
 * step it took to `steps`.
 */
export async function carryOutDeprovision(
  directory: DirectoryStore,
  ctx: CycleContext,
  user: HubUser,
  anchor: { sourceKey: string; missingSince?: number | null },
  steps: Step[],
): Promise<DeprovisionResult> {
  const actor = { type: 'job' as const, id: ctx.job.id, taskId: ctx.taskId };
  const { sourceKey } = anchor;
  const graceDays = ctx.job.deprovision === 'delete' ? (ctx.job.deprovisionGraceDays ?? 0) : 0;
  if (graceDays > 0) {
    const now = ctx.now();
    const since =
      anchor.missingSince ?? (await directory.markAnchorMissing(ctx.job.id, sourceKey, now));
    const deleteAt = since + graceDays * DAY_MS;
    if (now < deleteAt) {
      const when = new Date(deleteAt).toISOString().slice(0, 10);
      const wait = `it will be deleted on ${when} if it is still gone`;
      if (!user.active) {
        steps.push(step('provision', 'skipped', `Already disabled; ${wait}`));
        return {
          action: 'disable',
          status: 'skipped',
          skipReason: 'no_change',
          reason: `Already disabled; ${wait}`,
        };
      }
      await directory.setUserActive(user.id, false, actor);
      steps.push(step('provision', 'success', `Disabled ${user.userName} in the hub; ${wait}`));
      return {
        action: 'disable',
        status: 'success',
        reason: `Gone from the source: disabled, and ${wait}`,
        modifiedProperties: [{ name: 'active', oldValue: 'true', newValue: 'false' }],
      };
    }
  }
  if (ctx.job.deprovision === 'delete') {
    await directory.deleteUser(user.id, actor);
    await directory.removeAnchor(ctx.job.id, sourceKey);
    steps.push(step('provision', 'success', `Deleted ${user.userName} from the hub`));
    return { action: 'delete', status: 'success' };
  }
  if (!user.active)
    return {
      action: 'disable',
      status: 'skipped',
      skipReason: 'no_change',
      reason: 'Already disabled',
    };
  await directory.setUserActive(user.id, false, actor);
  steps.push(step('provision', 'success', `Disabled ${user.userName} in the hub`));
  return {
    action: 'disable',
    status: 'success',
    modifiedProperties: [{ name: 'active', oldValue: 'true', newValue: 'false' }],
  };
}

/** The import step of an anchored object a full source no longer lists. */
export const goneStep = (ctx: CycleContext, sourceKey: string): Step =>
  step('import', 'skipped', `${sourceKey} is no longer in ${ctx.system.name}`);

/** The anchored object is gone from the hub too: the anchor is forgotten, nothing else to do. */
export async function alreadyGone<B extends object>(
  directory: DirectoryStore,
  ctx: CycleContext,
  sourceKey: string,
  base: B,
): Promise<B & DeprovisionResult> {
  await directory.removeAnchor(ctx.job.id, sourceKey);
  return {
    ...base,
    action: 'delete',
    status: 'skipped',
    skipReason: 'no_change',
    reason: 'Already gone from the hub',
  };
}

/** Scoping and matching of an object deprovisioned through its anchor. */
export const anchoredSteps = (noun: 'user' | 'group', name: string): Step[] => [
  step('scoping', 'success', 'Provisioned by this job before'),
  step('matching', 'success', `Anchored to hub ${noun} ${name}`),
];
