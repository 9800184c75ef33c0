import type { ModifiedProperty } from '../model/entry.ts';
import type { Action, ObjectType } from '../model/enums.ts';
import { ACTIONS, OBJECT_TYPES } from '../model/enums.ts';

export const DOMAIN = 'contoso.com';
export const LDAP_BASE = 'dc=corp,dc=contoso,dc=com';
export const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** An unsigned demo JWT: the store redacts the Authorization header before it writes. */
const DEMO_BEARER = 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJwcm92bG9nLWRlbW8ifQ.';

export const SCIM_HEADERS = Object.freeze({
  Authorization: DEMO_BEARER,
  'Content-Type': 'application/scim+json',
});
export const JSON_HEADERS = Object.freeze({
  Authorization: DEMO_BEARER,
  'Content-Type': 'application/json',
});
export const USER_SCHEMAS = Object.freeze([SCIM_USER, SCIM_ENTERPRISE]);
export const PATCH_SCHEMAS = Object.freeze([SCIM_PATCH]);
export const ERROR_SCHEMAS = Object.freeze([SCIM_ERROR]);

export const TYPE_INDEX = Object.fromEntries(OBJECT_TYPES.map((t, i) => [t, i])) as Record<
  ObjectType,
  number
>;
export const ACTION_INDEX = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<
  Action,
  number
>;

export const USER_META = Object.freeze({ resourceType: 'User' });
export const RESPONSE_204 = Object.freeze({ status: 204 });
export const SCIM_ENABLE = Object.freeze({
  schemas: PATCH_SCHEMAS,
  Operations: Object.freeze([Object.freeze({ op: 'replace', path: 'active', value: true })]),
});
export const SCIM_DISABLE = Object.freeze({
  schemas: PATCH_SCHEMAS,
  Operations: Object.freeze([Object.freeze({ op: 'replace', path: 'active', value: false })]),
});

export function patchOps(mods: ModifiedProperty[] | undefined): unknown[] {
  const out: unknown[] = [];
  if (mods)
    for (const m of mods) out.push({ op: 'replace', path: m.name, value: m.newValue ?? null });
  return out;
}
