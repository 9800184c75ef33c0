import { failure } from './classify-exchange.ts';
import { failLastAttempt, succeed, type ScimResult } from './scim-result.ts';
import { isObject, type ScimListPage, type ScimResource } from './scim-schemas.ts';

/**
 * The one resource a `attribute eq value` query found, `null` for none. Resources that do
 * not carry the value mean the target ignored the filter (it is then unsafe to pick any);
 * several that do are duplicates in the target.
 */
export function pickMatch(
  page: ScimListPage,
  attribute: string,
  value: string | number | boolean,
  attempts: ScimResult<ScimListPage>['attempts'],
): ScimResult<ScimResource | null> {
  const { resources, totalResults } = page;
  const strays = resources.filter((r) => !hasValue(r, attribute, value));
  if (strays.length > 0) {
    return failLastAttempt(
      failure(
        'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
        `Asked for ${attribute} eq ${JSON.stringify(value)}; the target returned ${resources.length} resource(s), ${strays.length} without that value (ids ${strays
          .slice(0, 5)
          .map((r) => r.id)
          .join(', ')}): it does not seem to apply the filter`,
      ),
      attempts,
    );
  }
  if (resources.length > 1 || totalResults > 1) {
    return failLastAttempt(
      failure(
        'DuplicateTargetEntries',
        `${Math.max(totalResults, resources.length)} resources in the target have ${attribute} ${JSON.stringify(value)} (ids ${resources
          .map((r) => r.id)
          .join(', ')})`,
      ),
      attempts,
    );
  }
  const [only] = resources;
  if (!only && totalResults > 0) {
    return failLastAttempt(
      failure(
        'SystemForCrossDomainIdentityManagementServiceIncompatible',
        `totalResults is ${totalResults} but no resource was returned`,
      ),
      attempts,
    );
  }
  return succeed(only ?? null, attempts);
}

/**
 * Whether a resource holds a value at an attribute path (`userName`, `name.givenName`,
 * `emails.value` across a multi-valued attribute, a URN-qualified extension attribute).
 * Strings compare case-insensitively: userName and most matching attributes are not
 * case-exact (RFC 7643 §4.1.1), and a target may fold case.
 */
export function hasValue(
  resource: ScimResource,
  path: string,
  value: string | number | boolean,
): boolean {
  const wanted = typeof value === 'string' ? value.toLowerCase() : value;
  return valuesAt(resource, path).some((v) =>
    typeof v === 'string' ? v.toLowerCase() === wanted : v === wanted,
  );
}

function valuesAt(resource: ScimResource, path: string): unknown[] {
  let root: unknown = resource;
  let rest = path;
  const urnEnd = path.lastIndexOf(':');
  if (urnEnd !== -1) {
    const schema = path.slice(0, urnEnd);
    rest = path.slice(urnEnd + 1);
    // Core-schema attributes may be qualified with the core URN too (RFC 7644 §3.10).
    const extension = resource[schema];
    root = isObject(extension) ? extension : resource;
  }
  let current: unknown[] = [root];
  for (const name of rest.split('.')) {
    current = current.flatMap((node) => {
      if (!isObject(node)) return [];
      const key = Object.keys(node).find((k) => k.toLowerCase() === name.toLowerCase());
      const next = key === undefined ? undefined : node[key];
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return current;
}
