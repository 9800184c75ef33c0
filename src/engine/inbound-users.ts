import type { HubUser, HubUserInput } from '../model/directory.ts';
import type {
  Actor,
  DirectoryStore,
  MatchingAttribute,
} from '../store/directory/directory-store.ts';
import { DirectoryError } from '../store/directory/directory-errors.ts';
import { sameValue } from '../store/directory/diff.ts';
import { alreadyGone, anchoredSteps, carryOutDeprovision, goneStep } from './deprovision.ts';
import type { MapOutcome } from './attribute-mapper.ts';
import { evaluateScope } from './scoping.ts';
import { step, type CycleContext, type Outcome } from './entry-builder.ts';
import { toHubUser } from './hub-user-attributes.ts';
import type { SourceRow } from './source-row.ts';
import type { ChunkLookup } from './chunk-lookup.ts';

export type MappedRecord = Extract<SourceRow, { kind: 'record' }> & { mapped: MapOutcome };
export type MappedRow = Extract<SourceRow, { kind: 'row_error' }> | MappedRecord;
/** What an outcome says beyond the row's key, name, start and steps. */
type Result = Omit<Outcome, 'sourceKey' | 'sourceName' | 'startedAt' | 'steps'>;

/**
 * One user of an inbound cycle through the four steps — import, scoping, matching, provision —
 * and the deprovisioning of a user its full source no longer has (inbound-cycle.ts runs both).
 */
export async function processRow(
  directory: DirectoryStore,
  lookup: ChunkLookup,
  ctx: CycleContext,
  row: MappedRow,
  csv: boolean,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const at = row.line !== undefined ? ` (line ${row.line})` : '';
  if (row.kind === 'row_error') {
    return {
      action: 'other',
      status: 'failure',
      errorCode: row.code,
      reason: `${row.reason}${at}`,
      startedAt,
      ...(row.key ? { sourceKey: row.key } : {}),
      steps: [
        step(
          'import',
          'failure',
          `Could not read the object${at}: ${row.reason}`,
          row.line !== undefined ? { line: row.line } : undefined,
        ),
      ],
    };
  }
  const details: Record<string, string | number> = {};
  if (row.line !== undefined) details.line = row.line;
  details.key = row.key;
  // A directory entry's DN: its key (entryUUID) survives renames, the DN is what people read.
  if (ctx.system.type === 'ldap' && row.values.dn) details.dn = row.values.dn;
  const steps = [
    step('import', 'success', `Imported ${row.key} from ${ctx.system.name}${at}`, details),
  ];
  const base: Pick<Outcome, 'sourceKey' | 'sourceName' | 'startedAt' | 'steps'> = {
    sourceKey: row.key,
    startedAt,
    steps,
  };
  // Object.assign rather than a spread with fields after it: Node 20's V8 adds each field that
  // follows a spread, and that the spread object lacks, on a slow path (~1 µs a field), and a
  // cycle builds an outcome per object.
  const done = (result: Result): Outcome => Object.assign({}, base, result);
  const { mapped } = row;
  if (mapped.outcome === 'missing') {
    const names = mapped.missing.map((m) => `'${m}'`).join(', ');
    steps.push(step('scoping', 'skipped', 'Not evaluated: required attributes are missing'));
    return done({
      action: 'other',
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: `Required attribute ${names} is missing${at}`,
    });
  }
  const attrs = mapped.attributes;
  const name = attrs.displayName ?? attrs.userName;
  if (name) base.sourceName = name;
  const scope = evaluateScope(ctx.job.scoping, attrs, row.values);
  const anchoredId = await lookup.anchor(row.key);
  if (!scope.inScope) {
    steps.push(step('scoping', 'skipped', `Out of scope: ${scope.reason}`));
    const skipped: Outcome = done({
      action: 'other',
      status: 'skipped',
      skipReason: 'out_of_scope',
      reason: `Out of scope: ${scope.reason}`,
    });
    if (!anchoredId) return skipped;
    // Provisioned before and now out of scope: deprovision (disable), as Entra does.
    const user = await lookup.user(anchoredId);
    if (!user || !user.active) return skipped;
    lookup.noteUser(
      await directory.setUserActive(user.id, false, {
        type: 'job',
        id: ctx.job.id,
        taskId: ctx.taskId,
      }),
    );
    steps.push(
      step('provision', 'success', `Disabled ${user.userName} in the hub: it left the scope`),
    );
    return done({
      action: 'disable',
      status: 'success',
      hubId: user.id,
      hubName: user.displayName,
      modifiedProperties: [{ name: 'active', oldValue: 'true', newValue: 'false' }],
    });
  }
  steps.push(step('scoping', 'success', 'In scope'));
  const { user: input, errors } = toHubUser(attrs);
  if (errors.length) {
    steps.push(step('matching', 'skipped', 'Not evaluated: invalid values'));
    const list = errors.map((e) => `${e.field.replace(/^\//, '')}: ${e.message}`).join('; ');
    return done({
      action: 'other',
      status: 'failure',
      errorCode: csv ? 'CsvInvalidValue' : 'SchemaPropertyCanOnlyAcceptValue',
      reason: `Invalid value${at}: ${list}`,
    });
  }
  const matchOn = ctx.job.matchingAttribute as MatchingAttribute;
  const value: string | undefined = input[matchOn] ?? undefined;
  let match: HubUser | undefined = anchoredId ? await lookup.user(anchoredId) : undefined;
  const how = match ? 'anchor' : matchOn;
  if (!match && value === undefined) {
    steps.push(step('matching', 'failure', `The matching attribute ${matchOn} is empty`));
    return done({
      action: 'other',
      status: 'failure',
      errorCode: 'MandatoryFieldsMissing',
      reason: `The matching attribute ${matchOn} is empty${at}`,
    });
  }
  if (!match) {
    const candidates = await lookup.usersByMatch(value as string);
    if (candidates.length > 1) {
      const names = candidates.map((u) => u.userName).join(', ');
      const reason = `${candidates.length} hub users have ${matchOn} ${value}: ${names}; make it unique or match on another attribute`;
      steps.push(
        step('matching', 'failure', reason, {
          matchingAttribute: matchOn,
          sourceValue: value as string,
        }),
      );
      return done({
        action: 'other',
        status: 'failure',
        errorCode: 'DuplicateTargetEntries',
        reason: `${reason}${at}`,
      });
    }
    match = candidates[0];
  }
  steps.push(
    step(
      'matching',
      'success',
      match
        ? `Matched hub user ${match.userName} by ${how}`
        : `No hub user has ${matchOn} ${value}: will create`,
      matchDetails(matchOn, value, match),
    ),
  );
  const actor = { type: 'job' as const, id: ctx.job.id, taskId: ctx.taskId };
  try {
    if (!match) {
      // Matched on userName, the chunk's look-up has just found no user of that name.
      const created = await directory.createUser(input, actor, {
        nameChecked: matchOn === 'userName',
      });
      await directory.setAnchor(ctx.job.id, row.key, 'user', created.id);
      lookup.noteUser(created);
      lookup.noteAnchor(row.key, created.id);
      steps.push(step('provision', 'success', `Created ${created.userName} in the hub`));
      const props = Object.entries(attrs).map(([n, v]) => ({
        name: n,
        oldValue: null,
        newValue: v,
      }));
      return done({
        action: 'create',
        status: 'success',
        hubId: created.id,
        hubName: created.displayName,
        modifiedProperties: props,
      });
    }
    if (!anchoredId) {
      await directory.setAnchor(ctx.job.id, row.key, 'user', match.id);
      lookup.noteAnchor(row.key, match.id);
    }
    // Most rows of a re-import change nothing: those need no update call at all.
    const { user, changes } = holdsAlready(match, input)
      ? { user: match, changes: [] }
      : await update(directory, match, input, how !== 'userName', actor);
    lookup.noteUser(user, match);
    const props = changes.map((c) => ({
      name: c.name,
      oldValue: stringify(c.oldValue),
      newValue: stringify(c.newValue),
    }));
    if (!user.active) {
      const enabled = await directory.setUserActive(user.id, true, actor);
      lookup.noteUser(enabled, user);
      steps.push(
        step(
          'provision',
          'success',
          `Enabled ${enabled.userName} in the hub: it is back in the source`,
        ),
      );
      return done({
        action: 'enable',
        status: 'success',
        hubId: user.id,
        hubName: user.displayName,
        modifiedProperties: [...props, { name: 'active', oldValue: 'false', newValue: 'true' }],
      });
    }
    if (changes.length === 0) {
      steps.push(
        step('provision', 'skipped', 'No change needed: the hub already holds these values'),
      );
      return done({
        action: 'update',
        status: 'skipped',
        skipReason: 'no_change',
        hubId: user.id,
        hubName: user.displayName,
        reason: 'No change needed',
      });
    }
    steps.push(
      step(
        'provision',
        'success',
        `Updated ${changes.length} attribute(s) of ${user.userName} in the hub`,
      ),
    );
    return done({
      action: 'update',
      status: 'success',
      hubId: user.id,
      hubName: user.displayName,
      modifiedProperties: props,
    });
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    const code =
      err.kind === 'conflict'
        ? 'EntryConflict'
        : err.kind === 'invalid'
          ? csv
            ? 'CsvInvalidValue'
            : 'SchemaPropertyCanOnlyAcceptValue'
          : 'InvalidAnchor';
    steps.push(step('provision', 'failure', err.message));
    return done({
      action: match ? 'update' : 'create',
      status: 'failure',
      errorCode: code,
      reason: `${err.message}${at}`,
    });
  }
}

export async function deprovision(
  directory: DirectoryStore,
  ctx: CycleContext,
  a: { sourceKey: string; objectId: string; missingSince: number | null },
  held: boolean,
  total: number,
): Promise<Outcome> {
  const startedAt = ctx.now();
  const user = await directory.getUser(a.objectId);
  const steps = [goneStep(ctx, a.sourceKey)];
  const base = {
    sourceKey: a.sourceKey,
    startedAt,
    steps,
    ...(user
      ? { hubId: user.id, hubName: user.displayName, sourceName: user.displayName }
      : { hubId: a.objectId }),
  };
  if (!user) return alreadyGone(directory, ctx, a.sourceKey, base);
  steps.push(...anchoredSteps('user', user.userName));
  // With a grace period, a delete job's first step is to disable.
  const disablesFirst = (ctx.job.deprovisionGraceDays ?? 0) > 0 && a.missingSince === null;
  const mode = ctx.job.deprovision === 'delete' && !disablesFirst ? 'delete' : 'disable';
  if (held) {
    const reason = `Deletion protection: ${total} objects would be ${mode === 'delete' ? 'deleted' : 'disabled'}, more than the threshold of ${ctx.job.deletionThreshold}; waiting for an operator's approval`;
    steps.push(step('provision', 'pending', reason));
    return { ...base, action: 'staged_delete', status: 'pending', reason };
  }
  return { ...base, ...(await carryOutDeprovision(directory, ctx, user, a, steps)) };
}

/**
 * Updates a matched user to the source's values. Matched by anchor or another attribute, the
 * object may have been renamed in the source: its userName follows. Matched by userName, that
 * name is the same but for case, which stays as the hub has it.
 */
function update(
  directory: DirectoryStore,
  match: HubUser,
  input: HubUserInput,
  renames: boolean,
  actor: Actor,
) {
  const { userName, ...rest } = input;
  const patch = renames && userName !== match.userName ? input : rest;
  return directory.updateUser(match.id, patch, actor, undefined, match);
}

/** Whether the user already has every value of the patch (so updating it would change nothing). */
function holdsAlready(user: HubUser, patch: Partial<HubUser>): boolean {
  for (const key in patch) {
    const value = patch[key as keyof HubUser];
    if (value !== undefined && !sameValue(value, user[key as keyof HubUser])) return false;
  }
  return true;
}

function matchDetails(
  matchingAttribute: string,
  sourceValue: string | undefined,
  match: HubUser | undefined,
): Record<string, string> {
  const details: Record<string, string> = { matchingAttribute };
  if (sourceValue !== undefined) details.sourceValue = sourceValue;
  if (match) details.hubId = match.id;
  return details;
}

const stringify = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
