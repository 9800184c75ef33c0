import { failure } from './classify-exchange.ts';
import type { PatchRequest } from './patch-ops.ts';
import { failLastAttempt, succeed, type ScimResult } from './scim-result.ts';
import {
  checkListResponse,
  checkResource,
  GROUP_SCHEMA,
  USER_SCHEMA,
  type ScimListPage,
  type ScimResource,
  type ShapeCheck,
} from './scim-schemas.ts';
import type { ScimTransport } from './scim-transport.ts';

export interface ResourceKind {
  endpoint: '/Users' | '/Groups';
  schema: string;
}

export const USER_KIND: ResourceKind = { endpoint: '/Users', schema: USER_SCHEMA };
export const GROUP_KIND: ResourceKind = { endpoint: '/Groups', schema: GROUP_SCHEMA };

/** Paging and projection of a query (RFC 7644 §3.4.2.4, §3.9). */
export interface QueryOptions {
  startIndex?: number;
  count?: number;
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
}

/** The six SCIM operations on one resource type, each with its response checked. */
export interface ResourceOperations {
  get(id: string, query?: QueryOptions): Promise<ScimResult<ScimResource>>;
  find(filter: string, query?: QueryOptions): Promise<ScimResult<ScimListPage>>;
  create(resource: Record<string, unknown>): Promise<ScimResult<ScimResource>>;
  replace(id: string, resource: Record<string, unknown>): Promise<ScimResult<ScimResource>>;
  /** `undefined` when the target answered 204 without the resource. */
  patch(id: string, patch: PatchRequest): Promise<ScimResult<ScimResource | undefined>>;
  remove(id: string): Promise<ScimResult<void>>;
}

export function resourceOperations(
  transport: ScimTransport,
  kind: ResourceKind,
): ResourceOperations {
  const at = (id: string): string => {
    // An empty id would address the collection: a caller's bug, not the target's answer.
    if (id === '') throw new RangeError(`an empty ${kind.endpoint} id`);
    return `${kind.endpoint}/${encodeURIComponent(id)}`;
  };

  async function one(
    result: Promise<ScimResult<{ status: number; body: unknown }>>,
    id?: string,
  ): Promise<ScimResult<ScimResource>> {
    const sent = await result;
    if (!sent.ok) return sent;
    return checked(checkResource(sent.value.body, kind.schema), sent.attempts, (resource) =>
      id !== undefined && resource.id !== id
        ? `asked for id ${JSON.stringify(id)} and got ${JSON.stringify(resource.id)}`
        : undefined,
    );
  }

  return {
    get: (id, query) =>
      one(
        transport.send({
          method: 'GET',
          path: at(id),
          query: queryParams(query),
          target: 'resource',
        }),
        id,
      ),

    async find(filter, query) {
      const sent = await transport.send({
        method: 'GET',
        path: kind.endpoint,
        query: { filter, ...queryParams(query) },
        target: 'collection',
      });
      if (!sent.ok) return sent;
      return checked(checkListResponse(sent.value.body, kind.schema), sent.attempts);
    },

    create: (resource) =>
      one(
        transport.send({
          method: 'POST',
          path: kind.endpoint,
          body: resource,
          target: 'collection',
        }),
      ),

    replace: (id, resource) =>
      one(transport.send({ method: 'PUT', path: at(id), body: resource, target: 'resource' }), id),

    async patch(id, patch) {
      const sent = await transport.send({
        method: 'PATCH',
        path: at(id),
        body: patch,
        target: 'resource',
      });
      if (!sent.ok) return sent;
      if (sent.value.status === 204 || sent.value.body === undefined)
        return succeed(undefined, sent.attempts);
      return one(Promise.resolve(sent), id);
    },

    async remove(id) {
      const sent = await transport.send({ method: 'DELETE', path: at(id), target: 'resource' });
      return sent.ok ? succeed(undefined, sent.attempts) : sent;
    },
  };
}

/** A shape check's verdict as a result; a wrong shape is an incompatible service. */
function checked<T>(
  check: ShapeCheck<T>,
  attempts: ScimResult<T>['attempts'],
  extra?: (value: T) => string | undefined,
): ScimResult<T> {
  const reason = check.ok ? extra?.(check.value) : check.reason;
  if (check.ok && reason === undefined) return succeed(check.value, attempts);
  return failLastAttempt(
    failure(
      'SystemForCrossDomainIdentityManagementServiceIncompatible',
      `The response is not the SCIM resource expected: ${reason}`,
    ),
    attempts,
  );
}

function queryParams(query: QueryOptions | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query) return out;
  if (query.startIndex !== undefined) out.startIndex = String(query.startIndex);
  if (query.count !== undefined) out.count = String(query.count);
  if (query.attributes?.length) out.attributes = query.attributes.join(',');
  if (query.excludedAttributes?.length) out.excludedAttributes = query.excludedAttributes.join(',');
  return out;
}
