import { isObject, type ShapeCheck } from './scim-schemas.ts';

/** What a target says it supports (RFC 7643 §5), reduced to what the connector decides on. */
export interface ScimCapabilities {
  patch: boolean;
  filter: { supported: boolean; maxResults?: number };
  bulk: { supported: boolean; maxOperations?: number; maxPayloadSize?: number };
  etag: boolean;
  /** `discovered`: read from /ServiceProviderConfig; `assumed`: the target has none. */
  source: 'discovered' | 'assumed';
}

/**
 * For a target without /ServiceProviderConfig: PUT is what every SCIM server must accept,
 * and filtering is assumed because matching needs it (a target without it fails there, with
 * its own error).
 */
export function assumedCapabilities(): ScimCapabilities {
  return {
    patch: false,
    filter: { supported: true },
    bulk: { supported: false },
    etag: false,
    source: 'assumed',
  };
}

export function parseServiceProviderConfig(body: unknown): ShapeCheck<ScimCapabilities> {
  if (!isObject(body)) return { ok: false, reason: 'expected a ServiceProviderConfig object' };
  const patch = supported(body.patch);
  const filter = supported(body.filter);
  if (patch === undefined) return { ok: false, reason: '"patch.supported" is missing' };
  if (filter === undefined) return { ok: false, reason: '"filter.supported" is missing' };
  const capabilities: ScimCapabilities = {
    patch,
    filter: { supported: filter },
    bulk: { supported: supported(body.bulk) ?? false },
    etag: supported(body.etag) ?? false,
    source: 'discovered',
  };
  const maxResults = positiveInt(body.filter, 'maxResults');
  if (maxResults !== undefined) capabilities.filter.maxResults = maxResults;
  const maxOperations = positiveInt(body.bulk, 'maxOperations');
  if (maxOperations !== undefined) capabilities.bulk.maxOperations = maxOperations;
  const maxPayloadSize = positiveInt(body.bulk, 'maxPayloadSize');
  if (maxPayloadSize !== undefined) capabilities.bulk.maxPayloadSize = maxPayloadSize;
  return { ok: true, value: capabilities };
}

function supported(section: unknown): boolean | undefined {
  if (!isObject(section)) return undefined;
  const value = section.supported;
  // Some targets send "true"/"false" as strings; their intent is plain.
  if (value === 'true' || value === 'false') return value === 'true';
  return typeof value === 'boolean' ? value : undefined;
}

function positiveInt(section: unknown, key: string): number | undefined {
  if (!isObject(section)) return undefined;
  const value = section[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
