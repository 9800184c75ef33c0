import { memberPatch } from '../../connectors/scim/patch-ops.ts';
import type { ScimResource } from '../../connectors/scim/scim-schemas.ts';
import type { HubGroup } from '../../model/directory.ts';
import { step } from '../entry-builder.ts';
import type { OutboundOutcome } from './outbound-entry.ts';
import { OutcomeRecorder } from './outcome-recorder.ts';
import { buildResource, differences, hubGroupValues } from './scim-shape.ts';
import {
  memberValues,
  names,
  planMembers,
  targetNames,
  type EnsureMember,
} from './group-members.ts';
import type { UserTarget } from './sync-user.ts';

export interface GroupRequest {
  hubId: string;
  /** Prefetched: the hub group (`null` = known to be gone), and its anchor (target id). */
  group?: HubGroup | null;
  anchor?: string | null;
  retry?: boolean;
  dryRun?: boolean;
}

/**
 * One hub group through the four steps into the target: import, scoping (groups are all in
 * scope: a job's scoping clauses describe users), matching (anchor, else displayName — never
 * a blind create) and provision (create with members, attribute PATCH, member add/remove by
 * PATCH or GET + PUT, delete). The hub membership is authoritative for the target group.
 */
export async function syncGroup(
  t: UserTarget,
  req: GroupRequest,
  now: () => number,
  ensureMember?: EnsureMember,
): Promise<OutboundOutcome> {
  const rec = new OutcomeRecorder('group', req.hubId, now());
  const { steps, track, base, failed } = rec;
  const group =
    req.group !== undefined ? req.group : ((await t.directory.getGroup(req.hubId)) ?? null);
  const anchor =
    req.anchor !== undefined
      ? req.anchor
      : ((await t.directory.anchor(t.job.id, req.hubId)) ?? null);
  if (group) rec.hubName = group.displayName;
  const url = (id?: string) => `${t.baseUrl}/Groups${id ? `/${encodeURIComponent(id)}` : ''}`;

  // 1. import
  if (!group) {
    if (!anchor) return rec.goneNeverProvisioned(t.system.name);
    rec.goneProvisioned();
    steps.push(
      step('matching', 'success', `Anchored to ${t.system.name} group ${anchor}`, {
        targetId: anchor,
      }),
    );
    // A group cannot be disabled: unless the job leaves deprovisioned objects in place, it goes.
    if (t.job.deprovision === 'none') {
      steps.push(step('provision', 'skipped', 'The job does not deprovision: left in place'));
      return {
        ...base(),
        action: 'other',
        status: 'skipped',
        skipReason: 'no_change',
        targetId: anchor,
        reason: 'Left in place: it was deleted from the hub',
      };
    }
    if (req.dryRun)
      return rec.dryRun(
        'delete',
        { method: 'DELETE', url: url(anchor), headers: {} },
        `delete ${anchor}`,
        { targetId: anchor },
      );
    const r = track(await t.client.deleteGroup(anchor));
    if (!r.ok && r.failure.code !== 'InvalidAnchor') {
      steps.push(step('provision', 'failure', r.failure.reason));
      return failed('delete', r.failure, anchor);
    }
    await t.anchors.remove(req.hubId);
    steps.push(
      step(
        'provision',
        'success',
        r.ok
          ? `Deleted group ${anchor} in ${t.system.name}: it was deleted from the hub`
          : `Group ${anchor} is already gone from ${t.system.name}`,
      ),
    );
    return {
      ...base(),
      action: 'delete',
      status: 'success',
      targetId: anchor,
      reason: 'it was deleted from the hub',
    };
  }
  steps.push(
    step('import', 'success', `Read group ${group.displayName} from the hub`, {
      hubId: group.id,
      version: group.version,
      members: group.members.length,
    }),
  );

  // 2. scoping
  steps.push(step('scoping', 'success', "In scope: the job's scoping clauses apply to users"));
  const mapped = t.groupMapper.map(hubGroupValues(group));
  if (mapped.outcome === 'missing') {
    steps.push(step('matching', 'skipped', 'Not evaluated: required attributes are missing'));
    return failed('other', {
      code: 'MandatoryFieldsMissing',
      reason: `Required attribute(s) ${mapped.missing.join(', ')} have no value in the hub`,
    });
  }
  const attrs = mapped.attributes;

  // 3. matching: the anchor, else displayName (then read whole, members included).
  let current: ScimResource | null = null;
  let how = 'displayName';
  if (anchor) {
    const got = track(await t.client.getGroup(anchor));
    if (got.ok) {
      current = got.value;
      how = 'anchor';
    } else if (got.failure.code !== 'InvalidAnchor') {
      steps.push(
        step('matching', 'failure', `Could not read group ${anchor}: ${got.failure.reason}`),
      );
      return failed('other', got.failure, anchor);
    }
  }
  if (!current) {
    const found = track(await t.client.matchGroup('displayName', attrs.displayName ?? ''));
    if (!found.ok) {
      steps.push(step('matching', 'failure', found.failure.reason));
      return failed('other', found.failure);
    }
    if (found.value) {
      const whole = track(await t.client.getGroup(String(found.value.id)));
      if (!whole.ok) {
        steps.push(step('matching', 'failure', whole.failure.reason));
        return failed('other', whole.failure, String(found.value.id));
      }
      current = whole.value;
    }
  }
  steps.push(
    step(
      'matching',
      'success',
      current
        ? `Matched ${t.system.name} group ${String(current.id)} by ${how}`
        : `No group in ${t.system.name} has displayName ${JSON.stringify(attrs.displayName)}: will create`,
      {
        matchingAttribute: 'displayName',
        sourceValue: attrs.displayName ?? null,
        ...(current ? { targetId: String(current.id) } : {}),
      },
    ),
  );

  // 4. provision: members first resolved to target ids (provisioning unlinked users first).
  const plan = await planMembers(t, group, req.dryRun === true ? undefined : ensureMember);
  const have = current ? memberValues(current) : new Map<string, string>();
  const desired = new Set(plan.desired);
  const add = plan.desired.filter((id) => !have.has(id));
  const remove = [...have.keys()].filter((id) => !desired.has(id));
  const targetToHub = await targetNames(t, plan, add);
  const memberProps = [
    ...(add.length
      ? [
          {
            name: 'members.added',
            oldValue: null,
            newValue: add
              .map((id) => targetToHub.get(id) ?? id)
              .sort()
              .join(', '),
          },
        ]
      : []),
    ...(remove.length
      ? [
          {
            name: 'members.removed',
            oldValue: remove
              .map((id) => have.get(id) || id)
              .sort()
              .join(', '),
            newValue: null,
          },
        ]
      : []),
  ];
  if (plan.provisioned.length)
    steps.push(
      step(
        'provision',
        'success',
        t.job.objectTypes.includes('user')
          ? `Provisioned ${plan.provisioned.length} member(s) first: ${names(plan, plan.provisioned)}`
          : `Found ${plan.provisioned.length} member(s) in ${t.system.name} by ${t.matchPath}: ${names(plan, plan.provisioned)}`,
      ),
    );
  const missingNote = plan.missing.length
    ? `${plan.missing.length} member(s) not in ${t.system.name}: ${plan.missing
        .map((m) => `${plan.names.get(m.hubId) ?? m.hubId} (${m.why})`)
        .join('; ')}`
    : undefined;
  if (missingNote)
    steps.push(
      step('provision', plan.missing.some((m) => m.failed) ? 'failure' : 'skipped', missingNote, {
        members: plan.missing.map((m) => m.hubId).join(','),
      }),
    );
  // Members that failed to provision fail the group (transient): its retry adds them.
  const afterwards = (o: OutboundOutcome): OutboundOutcome => {
    const failedMembers = plan.missing.filter((m) => m.failed);
    if (o.status !== 'success' || failedMembers.length === 0)
      return missingNote && o.status !== 'failure' ? { ...o, reason: missingNote } : o;
    return {
      ...o,
      status: 'failure',
      errorCode: 'GroupMemberNotProvisioned',
      transient: true,
      reason: `${failedMembers.length} member(s) could not be provisioned: ${failedMembers
        .map((m) => `${plan.names.get(m.hubId) ?? m.hubId} (${m.why})`)
        .join('; ')}`,
    };
  };

  if (!current) {
    const body = { ...buildResource(attrs), members: plan.desired.map((value) => ({ value })) };
    const props = [
      ...Object.entries(attrs).map(([name, v]) => ({ name, oldValue: null, newValue: v })),
      ...memberProps,
    ];
    if (req.dryRun)
      return rec.dryRun(
        'create',
        { method: 'POST', url: url(), headers: {}, body },
        `create group ${group.displayName}`,
        { modifiedProperties: props },
      );
    const created = track(await t.client.createGroup(body as unknown as { displayName: string }));
    if (!created.ok) {
      steps.push(step('provision', 'failure', created.failure.reason));
      return { ...failed('create', created.failure), modifiedProperties: props };
    }
    const id = String(created.value.id);
    await t.anchors.set(group.id, 'group', id);
    steps.push(
      step(
        'provision',
        'success',
        `Created group ${group.displayName} in ${t.system.name} with ${plan.desired.length} member(s)`,
        { targetId: id },
      ),
    );
    return afterwards({
      ...base(),
      action: 'create',
      status: 'success',
      targetId: id,
      modifiedProperties: props,
    });
  }

  const targetId = String(current.id);
  if (targetId !== anchor && !req.dryRun) await t.anchors.set(group.id, 'group', targetId);
  const diffs = differences(current, attrs, t.groupPaths);
  const props = [
    ...diffs.map((d) => ({ name: d.change.path, oldValue: d.oldValue, newValue: d.newValue })),
    ...memberProps,
  ];
  if (diffs.length === 0 && add.length === 0 && remove.length === 0)
    return afterwards(
      rec.upToDate(req.retry, targetId, `${t.system.name} already holds this group`),
    );
  if (req.dryRun)
    return rec.dryRun(
      'update',
      {
        method: 'PATCH',
        url: url(targetId),
        headers: {},
        body: { attributes: diffs.map((d) => d.change), members: memberPatch(add, remove) },
      },
      `change ${diffs.length} attribute(s), add ${add.length} and remove ${remove.length} member(s)`,
      { targetId, modifiedProperties: props },
    );
  if (diffs.length) {
    const patched = track(
      await t.client.patchGroup(
        targetId,
        diffs.map((d) => d.change),
      ),
    );
    if (!patched.ok) {
      steps.push(step('provision', 'failure', patched.failure.reason));
      return { ...failed('update', patched.failure, targetId), modifiedProperties: props };
    }
  }
  if (add.length || remove.length) {
    const changed = track(await t.client.changeGroupMembers(targetId, { add, remove }));
    if (!changed.ok) {
      steps.push(step('provision', 'failure', changed.failure.reason));
      return { ...failed('update', changed.failure, targetId), modifiedProperties: props };
    }
  }
  steps.push(
    step(
      'provision',
      'success',
      `Updated group ${group.displayName} in ${t.system.name}: ${diffs.length} attribute(s), ${add.length} member(s) added, ${remove.length} removed`,
      { added: add.length, removed: remove.length },
    ),
  );
  return afterwards({
    ...base(),
    action: 'update',
    status: 'success',
    targetId,
    modifiedProperties: props,
  });
}
