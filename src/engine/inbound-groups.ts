import type { HubGroup, HubGroupPatch } from '../model/directory.ts';
import type { AttributeMapping, Job } from '../model/job.ts';
import type { ModifiedProperty } from '../model/entry.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { foldText } from '../model/fold-text.ts';
import { DirectoryError } from '../store/directory/directory-errors.ts';
import type { AttributeMapper } from './attribute-mapper.ts';
import { alreadyGone, anchoredSteps, goneStep } from './deprovision.ts';
import { step, type CycleContext, type Outcome } from './entry-builder.ts';
import type { SourceRow } from './source-row.ts';

export type GroupRow = Exclude<SourceRow, { kind: 'source_error' }>;

const GROUP_FIELDS = new Set(['displayName', 'description']);
const SHOWN_MEMBERS = 100;

/** The job's group mappings; without any, a group's cn is its displayName and description its description. */
export function groupMappings(job: Job): AttributeMapping[] {
  const explicit = job.mappings.filter((m) => m.objectType === 'group');
  return explicit.length
    ? explicit
    : [
        { target: 'displayName', source: 'cn', required: true, objectType: 'group' },
        { target: 'description', source: 'description', objectType: 'group' },
      ];
}

/**
 * One group through the four steps. Groups are scoped by the source itself (e.g. an LDAP
 * groupFilter), matched by anchor then displayName, and their members are the hub users this
 * job anchored to the member keys: a member the job did not import is named, not invented.
 */
export async function processGroupRow(
  directory: DirectoryStore,
  ctx: CycleContext,
  mapper: AttributeMapper,
  row: GroupRow,
  /** Group names seen in this run (folded → source key): two source groups cannot share one hub group. */
  seenNames: Map<string, string>,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const objectType = 'group' as const;
  if (row.kind === 'row_error')
    return {
      objectType,
      action: 'other',
      status: 'failure',
      errorCode: row.code,
      reason: row.reason,
      startedAt,
      ...(row.key ? { sourceKey: row.key } : {}),
      steps: [step('import', 'failure', `Could not read the group: ${row.reason}`)],
    };
  const dn = row.values.dn;
  const steps = [
    step('import', 'success', `Imported group ${dn ?? row.key} from ${ctx.system.name}`, {
      key: row.key,
      members: (row.members?.keys.length ?? 0) + (row.members?.unresolved.length ?? 0),
    }),
  ];
  const base = { objectType, sourceKey: row.key, startedAt, steps };
  const mapped = mapper.map(row.values);
  if (mapped.outcome === 'missing') {
    steps.push(step('scoping', 'skipped', 'Not evaluated: required attributes are missing'));
    return {
      ...base,
      action: 'other',
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: `Required attribute ${mapped.missing.map((m) => `'${m}'`).join(', ')} is missing`,
    };
  }
  const attrs = mapped.attributes;
  const displayName = attrs.displayName!;
  const named = { ...base, sourceName: displayName };
  steps.push(step('scoping', 'success', `In scope (the source's group filter selected it)`));
  const other = seenNames.get(foldText(displayName));
  if (other !== undefined && other !== row.key) {
    steps.push(step('matching', 'failure', `Another group of the source is named ${displayName}`));
    return {
      ...named,
      action: 'other',
      status: 'failure',
      errorCode: 'DuplicateSourceEntries',
      reason: `Two groups of ${ctx.system.name} are named ${displayName} (${other} and ${row.key}); a hub group name is unique`,
    };
  }
  seenNames.set(foldText(displayName), row.key);

  // Members: source keys → hub users through this job's anchors.
  const memberKeys = row.members?.keys ?? [];
  const anchors = await directory.anchorsFor(ctx.job.id, memberKeys);
  const users = await directory.usersByIds([...new Set(anchors.values())]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const members = [...new Set([...anchors.values()].filter((id) => userById.has(id)))];
  const notImported = memberKeys.filter((k) => !userById.has(anchors.get(k) ?? ''));
  const unresolved = [...(row.members?.unresolved ?? []), ...notImported];

  const anchoredId = await directory.anchor(ctx.job.id, row.key);
  let match: HubGroup | undefined = anchoredId ? await directory.getGroup(anchoredId) : undefined;
  const how = match ? 'anchor' : 'displayName';
  match ??= await directory.findGroupByDisplayName(displayName);
  steps.push(
    step(
      'matching',
      'success',
      match
        ? `Matched hub group ${match.displayName} by ${how}`
        : `No hub group is named ${displayName}: will create`,
      {
        matchingAttribute: 'displayName',
        sourceValue: displayName,
        ...(match ? { hubId: match.id } : {}),
      },
    ),
  );
  const extra = Object.fromEntries(Object.entries(attrs).filter(([k]) => !GROUP_FIELDS.has(k)));
  const unresolvedNote = unresolved.length
    ? {
        unresolvedMembers: unresolved.length,
        unresolvedExamples: unresolved.slice(0, 5).join(' | '),
      }
    : undefined;
  const note = unresolved.length
    ? `; ${unresolved.length} member(s) are not users this job imported (e.g. ${unresolved[0]})`
    : '';
  const actor = { type: 'job' as const, id: ctx.job.id, taskId: ctx.taskId };
  const nameOf = (id: string) => userById.get(id)?.userName ?? id;
  try {
    if (!match) {
      const created = await directory.createGroup(
        {
          displayName,
          ...(attrs.description ? { description: attrs.description } : {}),
          members,
          ...(Object.keys(extra).length ? { attributes: extra } : {}),
        },
        actor,
      );
      await directory.setAnchor(ctx.job.id, row.key, 'group', created.id);
      steps.push(
        step(
          'provision',
          'success',
          `Created group ${displayName} with ${members.length} member(s)${note}`,
          unresolvedNote,
        ),
      );
      return {
        ...named,
        action: 'create',
        status: 'success',
        hubId: created.id,
        hubName: created.displayName,
        modifiedProperties: [
          ...Object.entries(attrs).map(([name, v]) => ({ name, oldValue: null, newValue: v })),
          ...memberProperties(members.map(nameOf), []),
        ],
      };
    }
    if (!anchoredId || anchoredId !== match.id)
      await directory.setAnchor(ctx.job.id, row.key, 'group', match.id);
    const patch: HubGroupPatch = { displayName, members };
    patch.description = attrs.description ?? null;
    if (Object.keys(extra).length || match.attributes) patch.attributes = extra;
    const { group, changes } = await directory.updateGroup(match.id, patch, actor);
    if (changes.length === 0) {
      steps.push(step('provision', 'skipped', `No change needed${note}`, unresolvedNote));
      return {
        ...named,
        action: 'update',
        status: 'skipped',
        skipReason: 'no_change',
        reason: 'No change needed',
        hubId: group.id,
        hubName: group.displayName,
      };
    }
    const props: ModifiedProperty[] = [];
    for (const c of changes) {
      if (c.name !== 'members') {
        props.push({ name: c.name, oldValue: text(c.oldValue), newValue: text(c.newValue) });
        continue;
      }
      const added = (c.newValue as { added?: string[] } | null)?.added ?? [];
      const removed = (c.oldValue as { removed?: string[] } | null)?.removed ?? [];
      const gone = removed.length ? await directory.usersByIds(removed) : [];
      const goneName = new Map(gone.map((u) => [u.id, u.userName]));
      props.push(
        ...memberProperties(
          added.map(nameOf),
          removed.map((id) => goneName.get(id) ?? id),
        ),
      );
    }
    steps.push(
      step(
        'provision',
        'success',
        `Updated group ${group.displayName}: ${props.map((p) => p.name).join(', ')}${note}`,
        unresolvedNote,
      ),
    );
    return {
      ...named,
      action: 'update',
      status: 'success',
      hubId: group.id,
      hubName: group.displayName,
      modifiedProperties: props,
    };
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    steps.push(step('provision', 'failure', err.message));
    return {
      ...named,
      action: match ? 'update' : 'create',
      status: 'failure',
      errorCode: err.kind === 'conflict' ? 'EntryConflict' : 'SchemaPropertyCanOnlyAcceptValue',
      reason: err.message,
    };
  }
}

/** Members added and removed, by userName, as two modified properties. */
function memberProperties(added: string[], removed: string[]): ModifiedProperty[] {
  const list = (names: string[]) =>
    names.length > SHOWN_MEMBERS
      ? `${names.slice(0, SHOWN_MEMBERS).join(', ')} … and ${names.length - SHOWN_MEMBERS} more`
      : names.join(', ');
  return [
    ...(added.length ? [{ name: 'members (added)', oldValue: null, newValue: list(added) }] : []),
    ...(removed.length
      ? [{ name: 'members (removed)', oldValue: list(removed), newValue: null }]
      : []),
  ];
}

/**
 * A group a full source no longer has. Groups cannot be disabled: with deprovision `delete` it
 * is deleted (or held above the deletion threshold); with `disable` it stays, and the entry says so.
 */
export async function deprovisionGroup(
  directory: DirectoryStore,
  ctx: CycleContext,
  a: { sourceKey: string; objectId: string },
  held: boolean,
  total: number,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const group = await directory.getGroup(a.objectId);
  const steps = [goneStep(ctx, a.sourceKey)];
  const base = {
    objectType: 'group' as const,
    sourceKey: a.sourceKey,
    startedAt,
    steps,
    hubId: a.objectId,
    ...(group ? { hubName: group.displayName, sourceName: group.displayName } : {}),
  };
  if (!group) return alreadyGone(directory, ctx, a.sourceKey, base);
  steps.push(...anchoredSteps('group', group.displayName));
  if (ctx.job.deprovision !== 'delete') {
    const reason = `Groups cannot be disabled: ${group.displayName} stays in the hub. Set the job's deprovision to delete to remove groups gone from the source`;
    steps.push(step('provision', 'skipped', reason));
    return { ...base, action: 'disable', status: 'skipped', skipReason: 'needs_action', reason };
  }
  if (held) {
    const reason = `Deletion protection: ${total} groups would be deleted, more than the threshold of ${ctx.job.deletionThreshold}; waiting for an operator's approval`;
    steps.push(step('provision', 'pending', reason));
    return { ...base, action: 'staged_delete', status: 'pending', reason };
  }
  await deleteHubGroup(directory, ctx, group, a.sourceKey);
  steps.push(step('provision', 'success', `Deleted group ${group.displayName} from the hub`));
  return { ...base, action: 'delete', status: 'success' };
}

/** Deletes a hub group and forgets its anchor (also used when a held deletion is approved). */
export async function deleteHubGroup(
  directory: DirectoryStore,
  ctx: CycleContext,
  group: HubGroup,
  sourceKey: string,
): Promise<void> {
  await directory.deleteGroup(group.id, { type: 'job', id: ctx.job.id, taskId: ctx.taskId });
  await directory.removeAnchor(ctx.job.id, sourceKey);
}

const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
