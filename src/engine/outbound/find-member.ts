import type { EnsureMember } from './group-members.ts';
import { matchingValue } from './matching-value.ts';
import type { UserTarget } from './sync-user.ts';

/**
 * A group member's id in the target, for a job that pushes groups but not users: the user is
 * looked up by the matching attribute (never created) and linked when found.
 */
export async function findMember(t: UserTarget, hubId: string): ReturnType<EnsureMember> {
  const user = await t.directory.getUser(hubId);
  if (!user) return { missing: 'not in the hub', failed: false };
  const m = matchingValue(t, user);
  if ('why' in m) return { missing: m.why, failed: false };
  const { value } = m;
  const found = await t.client.matchUser(t.matchPath, value);
  if (!found.ok)
    return {
      missing: `${found.failure.code}: ${found.failure.reason}`,
      failed: found.failure.transient,
    };
  if (!found.value)
    return {
      missing: `no user in ${t.system.name} has ${t.matchPath} ${JSON.stringify(value)}, and this job does not provision users`,
      failed: false,
    };
  const targetId = String(found.value.id);
  await t.anchors.set(hubId, 'user', targetId);
  return { targetId };
}
