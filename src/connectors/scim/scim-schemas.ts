/** SCIM 2.0 schema URNs (RFC 7643 §8.7, RFC 7644 §3) and checks of what a target returns. */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SERVICE_PROVIDER_CONFIG_SCHEMA =
  'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** A SCIM resource as a target returns it: an id, its schemas, and any attributes. */
export interface ScimResource {
  id: string;
  schemas: string[];
  meta?: { resourceType?: string; version?: string; location?: string };
  [attribute: string]: unknown;
}

export interface ScimListPage {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  resources: ScimResource[];
}

export type ShapeCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * A single resource of the expected core schema. The schema must be listed when `schemas`
 * is present; some targets omit `schemas` altogether, which is tolerated.
 */
export function checkResource(body: unknown, schema: string): ShapeCheck<ScimResource> {
  if (!isObject(body)) return { ok: false, reason: `expected a ${shortName(schema)} object` };
  if (typeof body.id !== 'string' || body.id === '')
    return { ok: false, reason: `the ${shortName(schema)} has no "id"` };
  const schemas = body.schemas;
  if (schemas !== undefined) {
    if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string'))
      return { ok: false, reason: '"schemas" is not a list of URNs' };
    if (!schemas.includes(schema))
      return {
        ok: false,
        reason: `"schemas" lacks ${schema} (got ${JSON.stringify(schemas).slice(0, 200)})`,
      };
  }
  return { ok: true, value: { ...body, id: body.id, schemas: (schemas as string[]) ?? [schema] } };
}

/** A ListResponse (RFC 7644 §3.4.2) whose resources are all of the expected schema. */
export function checkListResponse(body: unknown, schema: string): ShapeCheck<ScimListPage> {
  if (!isObject(body)) return { ok: false, reason: 'expected a ListResponse object' };
  const schemas = body.schemas;
  if (Array.isArray(schemas) && !schemas.includes(LIST_RESPONSE_SCHEMA))
    return { ok: false, reason: `"schemas" lacks ${LIST_RESPONSE_SCHEMA}` };
  const total = body.totalResults;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0)
    return { ok: false, reason: 'the ListResponse has no valid "totalResults"' };
  // RFC 7644 §3.4.2: Resources is REQUIRED when totalResults is non-zero.
  const raw = body.Resources ?? [];
  if (!Array.isArray(raw)) return { ok: false, reason: '"Resources" is not a list' };
  if (total > 0 && body.Resources === undefined)
    return { ok: false, reason: `totalResults is ${total} but "Resources" is missing` };
  const resources: ScimResource[] = [];
  for (const [index, item] of raw.entries()) {
    const check = checkResource(item, schema);
    if (!check.ok) return { ok: false, reason: `Resources[${index}]: ${check.reason}` };
    resources.push(check.value);
  }
  return {
    ok: true,
    value: {
      totalResults: total,
      startIndex: typeof body.startIndex === 'number' ? body.startIndex : 1,
      itemsPerPage: typeof body.itemsPerPage === 'number' ? body.itemsPerPage : resources.length,
      resources,
    },
  };
}

function shortName(schema: string): string {
  return schema.slice(schema.lastIndexOf(':') + 1);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
