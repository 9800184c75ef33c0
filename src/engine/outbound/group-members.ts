import { isObject, type ScimResource } from '../../connectors/scim/scim-schemas.ts';
import type { HubGroup } from '../../model/directory.ts';
import { mapPool } from './map-pool.ts';
import type { UserTarget } from './sync-user.ts';

/** Unlinked members of one group provisioned (or looked up) at once. */
const MEMBER_CONCURRENCY = 8;

/**
 * A member's target id, provisioning the user first when this job has not yet (a job that
 * does not push users only looks it up by the matching attribute). `missing` says why it has
 * none — `failed` when its own entry failed (the group is retried for it), not when it is
 * simply out of the job's scope.
 */
export type EnsureMember = (
  hubUserId: string,
) => Promise<{ targetId: string } | { missing: string; failed: boolean }>;

export interface MemberPlan {
  /** Target ids of the members that should be in the target group. */
  desired: string[];
  /** Target id → hub id of the members resolved. */
  hubOf: Map<string, string>;
  /** Hub id → name, for the members reported below. */
  names: Map<string, string>;
  /** Members provisioned first, in this attempt. */
  provisioned: string[];
  /** Members without a target id, and why. */
  missing: Array<{ hubId: string; why: string; failed: boolean }>;
}

/** The target ids of a group's members; users this job has not provisioned go first. */
export async function planMembers(
  t: UserTarget,
  group: HubGroup,
  ensureMember: EnsureMember | undefined,
): Promise<MemberPlan> {
  const anchors = await t.directory.anchorsFor(t.job.id, group.members);
  const plan: MemberPlan = {
    desired: [],
    hubOf: new Map(),
    names: new Map(),
    provisioned: [],
    missing: [],
  };
  const unlinked = group.members.filter((id) => !anchors.has(id));
  if (unlinked.length)
    for (const u of await t.directory.usersByIds(unlinked)) plan.names.set(u.id, u.userName);
  const got = new Map<string, Awaited<ReturnType<EnsureMember>>>();
  if (ensureMember)
    await mapPool(unlinked, MEMBER_CONCURRENCY, async (hubId) =>
      got.set(hubId, await ensureMember(hubId)),
    );
  for (const hubId of group.members) {
    const targetId = anchors.get(hubId);
    if (targetId) {
      plan.desired.push(targetId);
      plan.hubOf.set(targetId, hubId);
      continue;
    }
    const r = got.get(hubId) ?? {
      missing: 'not linked yet; a real run provisions or finds it first',
      failed: false,
    };
    if ('targetId' in r) {
      plan.desired.push(r.targetId);
      plan.hubOf.set(r.targetId, hubId);
      plan.provisioned.push(hubId);
    } else plan.missing.push({ hubId, why: r.missing, failed: r.failed });
  }
  return plan;
}

/** Target id → userName of the members added, for modified properties people can read. */
export async function targetNames(
  t: UserTarget,
  plan: MemberPlan,
  added: string[],
): Promise<Map<string, string>> {
  const hubIds = added.map((id) => plan.hubOf.get(id)).filter((id) => id !== undefined);
  const unnamed = hubIds.filter((id) => !plan.names.has(id));
  if (unnamed.length)
    for (const u of await t.directory.usersByIds(unnamed)) plan.names.set(u.id, u.userName);
  const out = new Map<string, string>();
  for (const id of added) {
    const name = plan.names.get(plan.hubOf.get(id) ?? '');
    if (name) out.set(id, name);
  }
  return out;
}

/** A target group's members: value → display (empty when the target gives none). */
export function memberValues(resource: ScimResource): Map<string, string> {
  const out = new Map<string, string>();
  const members = Array.isArray(resource.members) ? resource.members : [];
  for (const m of members)
    if (isObject(m) && typeof m.value === 'string')
      out.set(m.value, typeof m.display === 'string' ? m.display : '');
  return out;
}

export function names(plan: MemberPlan, ids: string[]): string {
  return ids.map((id) => plan.names.get(id) ?? id).join(', ');
}
