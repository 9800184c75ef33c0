import type { ScimClient } from '../../connectors/scim/scim-client.ts';
import type { ScimResult } from '../../connectors/scim/scim-result.ts';
import type { ScimResource } from '../../connectors/scim/scim-schemas.ts';
import { patchFromChanges } from '../../connectors/scim/patch-ops.ts';
import type { HubUser } from '../../model/directory.ts';
import type { Action } from '../../model/enums.ts';
import type { Job, System } from '../../model/job.ts';
import type { DirectoryStore } from '../../store/directory/directory-store.ts';
import type { AttributeMapper } from '../attribute-mapper.ts';
import type { AnchorWriter } from './anchor-writer.ts';
import { step } from '../entry-builder.ts';
import { evaluateScope } from '../scoping.ts';
import type { OutboundOutcome } from './outbound-entry.ts';
import { OutcomeRecorder } from './outcome-recorder.ts';
import { buildResource, differences, hubUserValues } from './scim-shape.ts';

const BATCHED = ' (looked up with other users in one request)';

/** Everything a job needs to push users to one SCIM target, prepared once per run. */
export interface UserTarget {
  job: Job;
  system: System;
  client: ScimClient;
  baseUrl: string;
  mapper: AttributeMapper;
  /** SCIM paths the mappings write (plus `active`, which the engine always keeps in step). */
  paths: string[];
  /** The SCIM path matched on, and the hub attribute its value comes from. */
  matchPath: string;
  /** Group mappings (`objectType: 'group'`, else displayName → displayName) and their paths. */
  groupMapper: AttributeMapper;
  groupPaths: string[];
  directory: DirectoryStore;
  /** Where links are written: at once, or per chunk of a cycle (see anchor-writer.ts). */
  anchors: AnchorWriter;
}

export interface UserRequest {
  hubId: string;
  /** Prefetched: the hub user (`null` = known to be gone), and its anchor (target id). */
  user?: HubUser | null;
  anchor?: string | null;
  /**
   * Matching already done for a user without an anchor, by a cycle's batch look-up of its
   * matching value (`null` = the target has none): no request of its own.
   */
  matched?: ScimResource | null;
  /** A retry of an earlier attempt: an object found already right counts as a success. */
  retry?: boolean;
  /** Record what would be sent, send nothing, change nothing. */
  dryRun?: boolean;
}

/**
 * One hub user through the four steps into the target: import (read the hub), scoping,
 * matching (the anchor first, then the matching attribute — never a blind create), and
 * provision (create, update by PATCH or PUT, disable, delete, or nothing).
 */
export async function syncUser(
  t: UserTarget,
  req: UserRequest,
  now: () => number,
): Promise<OutboundOutcome> {
  const rec = new OutcomeRecorder('user', req.hubId, now());
  const { steps, track, base, failed } = rec;
  const user = req.user !== undefined ? req.user : ((await t.directory.getUser(req.hubId)) ?? null);
  const anchor =
    req.anchor !== undefined
      ? req.anchor
      : ((await t.directory.anchor(t.job.id, req.hubId)) ?? null);
  if (user) rec.hubName = user.displayName;

  // 1. import
  if (!user) {
    if (!anchor) return rec.goneNeverProvisioned(t.system.name);
    rec.goneProvisioned();
    return deprovision(
      t,
      req,
      anchor,
      'it was deleted from the hub',
      t.job.deprovision ?? 'disable',
    );
  }
  steps.push(
    step('import', 'success', `Read ${user.userName} from the hub`, {
      hubId: user.id,
      version: user.version,
    }),
  );

  // 2. scoping
  const values = hubUserValues(user);
  const scope = evaluateScope(t.job.scoping, values);
  if (!scope.inScope || (!user.active && !anchor)) {
    const why = scope.inScope ? 'disabled in the hub' : scope.reason;
    steps.push(step('scoping', 'skipped', `Out of scope: ${why}`));
    if (!anchor)
      return {
        ...base(),
        action: 'other',
        status: 'skipped',
        skipReason: 'out_of_scope',
        reason: `Out of scope: ${why}`,
      };
    // Provisioned before and now out of scope: disabled (or deleted, if the job deletes).
    const mode = t.job.deprovision === 'delete' ? 'delete' : 'disable';
    return deprovision(t, req, anchor, `it left the scope (${why})`, mode);
  }
  steps.push(step('scoping', 'success', 'In scope'));
  const mapped = t.mapper.map(values);
  if (mapped.outcome === 'missing') {
    steps.push(step('matching', 'skipped', 'Not evaluated: required attributes are missing'));
    return failed('other', {
      code: 'MandatoryFieldsMissing',
      reason: `Required attribute(s) ${mapped.missing.join(', ')} have no value in the hub`,
    });
  }
  const attrs = { ...mapped.attributes };
  if (!('active' in attrs)) attrs.active = String(user.active);
  const desired = buildResource(attrs);

  // 3. matching: the anchor, else the matching attribute.
  let current: ScimResource | null = null;
  let how = t.matchPath;
  if (anchor) {
    const got = track(await t.client.getUser(anchor));
    if (got.ok) {
      current = got.value;
      how = 'anchor';
    } else if (got.failure.code !== 'InvalidAnchor') {
      steps.push(
        step(
          'matching',
          'failure',
          `Could not read ${anchor} from ${t.system.name}: ${got.failure.reason}`,
        ),
      );
      return failed('other', got.failure, anchor);
    }
  }
  if (!current) {
    const value = attrs[t.matchPath];
    if (!value) {
      steps.push(step('matching', 'failure', `No value for the matching attribute ${t.matchPath}`));
      return failed('other', {
        code: 'MandatoryFieldsMissing',
        reason: `The matching attribute ${t.matchPath} has no value`,
      });
    }
    if (req.matched !== undefined && !anchor) {
      current = req.matched;
      how = `${t.matchPath}${BATCHED}`;
    } else {
      const found = track(await t.client.matchUser(t.matchPath, value));
      if (!found.ok) {
        steps.push(step('matching', 'failure', found.failure.reason));
        return failed('other', found.failure);
      }
      current = found.value;
    }
  }
  const matchValue = attrs[t.matchPath] ?? null;
  steps.push(
    step(
      'matching',
      'success',
      current
        ? `Matched ${t.system.name} user ${String(current.id)} by ${how}`
        : `No user in ${t.system.name} has ${t.matchPath} ${JSON.stringify(matchValue)}: will create${req.matched !== undefined && !anchor ? BATCHED : ''}`,
      {
        matchingAttribute: t.matchPath,
        sourceValue: matchValue,
        ...(current ? { targetId: String(current.id) } : {}),
      },
    ),
  );

  // 4. provision
  if (!current) {
    const props = Object.entries(attrs).map(([name, v]) => ({ name, oldValue: null, newValue: v }));
    if (req.dryRun)
      return rec.dryRun(
        'create',
        { method: 'POST', url: `${t.baseUrl}/Users`, headers: {}, body: desired },
        `create ${user.userName} in ${t.system.name}`,
        { modifiedProperties: props },
      );
    const created = track(await t.client.createUser(desired as { userName: string }));
    if (!created.ok) {
      steps.push(step('provision', 'failure', created.failure.reason));
      return { ...failed('create', created.failure), modifiedProperties: props };
    }
    const id = String(created.value.id);
    await t.anchors.set(user.id, 'user', id);
    steps.push(
      step('provision', 'success', `Created ${user.userName} in ${t.system.name}`, {
        targetId: id,
      }),
    );
    return {
      ...base(),
      action: 'create',
      status: 'success',
      targetId: id,
      modifiedProperties: props,
    };
  }
  const targetId = String(current.id);
  if (targetId !== anchor && !req.dryRun) await t.anchors.set(user.id, 'user', targetId);
  const diffs = differences(current, attrs, t.paths);
  const props = diffs.map((d) => ({
    name: d.change.path,
    oldValue: d.oldValue,
    newValue: d.newValue,
  }));
  const activeChange = diffs.find((d) => d.change.path === 'active');
  // Enable only what was disabled: an absent `active` is not a disabled account.
  const action: Action =
    activeChange?.change.value === false
      ? 'disable'
      : activeChange?.oldValue === 'false'
        ? 'enable'
        : 'update';
  if (diffs.length === 0)
    return rec.upToDate(req.retry, targetId, `${t.system.name} already holds these values`);
  if (req.dryRun) {
    const patch = patchFromChanges(diffs.map((d) => d.change));
    return rec.dryRun(
      action,
      {
        method: 'PATCH',
        url: `${t.baseUrl}/Users/${encodeURIComponent(targetId)}`,
        headers: {},
        body: patch.ok ? patch.value : diffs.map((d) => d.change),
      },
      `change ${diffs.length} attribute(s)`,
      { targetId, modifiedProperties: props },
    );
  }
  const patched = track(
    await t.client.patchUser(
      targetId,
      diffs.map((d) => d.change),
    ),
  );
  if (!patched.ok) {
    steps.push(step('provision', 'failure', patched.failure.reason));
    return { ...failed(action, patched.failure, targetId), modifiedProperties: props };
  }
  steps.push(
    step(
      'provision',
      'success',
      `Updated ${diffs.length} attribute(s) of ${user.userName} in ${t.system.name}`,
    ),
  );
  return { ...base(), action, status: 'success', targetId, modifiedProperties: props };

  async function deprovision(
    t: UserTarget,
    req: UserRequest,
    targetId: string,
    why: string,
    mode: 'none' | 'disable' | 'delete',
  ): Promise<OutboundOutcome> {
    steps.push(
      step('matching', 'success', `Anchored to ${t.system.name} user ${targetId}`, { targetId }),
    );
    if (mode === 'none') {
      steps.push(step('provision', 'skipped', `The job does not deprovision: ${why}`));
      return {
        ...base(),
        action: 'other',
        status: 'skipped',
        skipReason: 'no_change',
        targetId,
        reason: `Left in place: ${why}`,
      };
    }
    const action: Action = mode;
    if (req.dryRun) {
      return rec.dryRun(
        action,
        {
          method: mode === 'delete' ? 'DELETE' : 'PATCH',
          url: `${t.baseUrl}/Users/${encodeURIComponent(targetId)}`,
          headers: {},
          ...(mode === 'disable'
            ? { body: { Operations: [{ op: 'replace', path: 'active', value: false }] } }
            : {}),
        },
        `${mode} ${targetId}`,
        { targetId },
      );
    }
    const r: ScimResult<unknown> = track<unknown>(
      mode === 'delete'
        ? await t.client.deleteUser(targetId)
        : await t.client.disableUser(targetId),
    );
    if (!r.ok && r.failure.code !== 'InvalidAnchor') {
      steps.push(step('provision', 'failure', r.failure.reason));
      return failed(action, r.failure, targetId);
    }
    const gone = !r.ok;
    if (gone || mode === 'delete') await t.anchors.remove(req.hubId);
    steps.push(
      step(
        'provision',
        'success',
        gone
          ? `${targetId} is already gone from ${t.system.name}: ${why}`
          : `${mode === 'delete' ? 'Deleted' : 'Disabled'} ${targetId} in ${t.system.name}: ${why}`,
      ),
    );
    return {
      ...base(),
      action,
      status: 'success',
      targetId,
      reason: why,
      ...(mode === 'disable' && !gone
        ? { modifiedProperties: [{ name: 'active', oldValue: 'true', newValue: 'false' }] }
        : {}),
    };
  }
}
