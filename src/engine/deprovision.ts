import type { HubUser } from '../model/directory.ts';
import type { Step } from '../model/entry.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { step, type CycleContext, type Outcome } from './entry-builder.ts';

export type DeprovisionResult = Pick<
  Outcome,
  'action' | 'status' | 'skipReason' | 'reason' | 'modifiedProperties'
>;

/**
 * Deprovisions a hub user the job's source no longer has: delete (and forget its anchor) or
 * disable, per the job. Appends the provision step it took to `steps`.
 */
export async function carryOutDeprovision(
  directory: DirectoryStore,
  ctx: CycleContext,
  user: HubUser,
  sourceKey: string,
  steps: Step[],
): Promise<DeprovisionResult> {
  const actor = { type: 'job' as const, id: ctx.job.id, taskId: ctx.taskId };
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
