import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { parse, stringify } from 'scim2-parse-filter';
import { isAttributePath } from './scim-filter.ts';
import { PATCH_OP_SCHEMA, type ScimResource, type ShapeCheck } from './scim-schemas.ts';

/** One changed attribute: its new value, or `null` when the attribute lost its value. */
export interface AttributeChange {
  /** A SCIM attribute path: `displayName`, `name.familyName`, `emails[type eq "work"].value`, a URN path. */
  path: string;
  value: unknown;
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface PatchRequest {
  schemas: [typeof PATCH_OP_SCHEMA];
  Operations: PatchOperation[];
}

const VALUE_PATH = /^([^[\]]+)\[(.+)\](?:\.([A-Za-z][\w$-]*))?$/;

/** Whether a PATCH may name this path: an attribute path, or one with a value filter. */
export function isPatchPath(path: string): boolean {
  if (isAttributePath(path)) return true;
  const match = VALUE_PATH.exec(path);
  if (!match?.[1] || !match[2] || !isAttributePath(match[1])) return false;
  try {
    parse(match[2]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A PatchOp (RFC 7644 §3.5.2) for a list of changed attributes: `replace` for a new value
 * (a target treats a replace of an absent attribute as an add), `remove` for a lost one.
 * Returns the paths that are not SCIM paths instead of sending them.
 */
export function patchFromChanges(changes: readonly AttributeChange[]): ShapeCheck<PatchRequest> {
  const bad = changes.filter((c) => !isPatchPath(c.path)).map((c) => c.path);
  if (bad.length > 0)
    return {
      ok: false,
      reason: `not SCIM attribute paths: ${bad.map((p) => JSON.stringify(p)).join(', ')}`,
    };
  const operations = changes.map((change): PatchOperation =>
    isEmpty(change.value)
      ? { op: 'remove', path: change.path }
      : { op: 'replace', path: change.path, value: change.value },
  );
  return { ok: true, value: patchRequest(operations) };
}

/**
 * Member changes of a group: one `add` of the new members, and a `remove` per member
 * leaving, addressed by a value filter (the form of RFC 7644 §3.5.2.2's example).
 */
export function memberPatch(add: readonly string[], remove: readonly string[]): PatchRequest {
  const operations: PatchOperation[] = [];
  if (add.length > 0)
    operations.push({ op: 'add', path: 'members', value: add.map((value) => ({ value })) });
  for (const id of remove) {
    const filter = stringify({ op: 'eq', attrPath: 'value', compValue: id });
    operations.push({ op: 'remove', path: `members[${filter}]` });
  }
  return patchRequest(operations);
}

export function patchRequest(operations: PatchOperation[]): PatchRequest {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/**
 * The resource as the PATCH would leave it, for a target without PATCH (sent as a PUT).
 * Read-only attributes (`meta`) are dropped: a PUT must not try to set them. A `remove`
 * whose target is already absent changes nothing, as the change intends; a replace that
 * cannot be applied fails the whole change.
 */
export function applyPatchLocally(
  resource: ScimResource,
  patch: PatchRequest,
): ShapeCheck<ScimResource> {
  const { meta: _meta, ...writable } = structuredClone(resource);
  let current = { ...writable, meta: { created: new Date(0), lastModified: new Date(0) } };
  for (const operation of patch.Operations) {
    try {
      current = scimPatch(current, [operation as ScimPatchOperation], {
        mutateDocument: false,
        treatMissingAsAdd: true,
      });
    } catch (error) {
      if (operation.op === 'remove') continue;
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `${operation.op} ${operation.path ?? ''}: ${reason}` };
    }
  }
  const { meta: _patchedMeta, ...rest } = current;
  return { ok: true, value: { ...rest, id: resource.id, schemas: resource.schemas } };
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}
