import { evaluateScope } from '../scoping.ts';
import { hubUserValues } from './scim-shape.ts';
import type { EnsureMember } from './group-members.ts';
import type { UserTarget } from './sync-user.ts';

/**
 * A group member's id in the target, for a job that pushes groups but not users: the user is
 * looked up by the matching attribute (never created) and linked when found.
 */
export async function findMember(t: UserTarget, hubId: string): ReturnType<EnsureMember> {
  const user = await t.directory.getUser(hubId);
  if (!user) return { missing: 'not in the hub', failed: false };
  const values = hubUserValues(user);
  const scope = evaluateScope(t.job.scoping, values);
  if (!scope.inScope) return { missing: `out of scope: ${scope.reason}`, failed: false };
  const mapped = t.mapper.map(values);
  const value = mapped.outcome === 'mapped' ? mapped.attributes[t.matchPath] : undefined;
  if (!value)
    return { missing: `no value for the matching attribute ${t.matchPath}`, failed: false };
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
