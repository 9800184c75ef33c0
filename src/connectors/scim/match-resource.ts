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

/** Every value a resource holds at an attribute path (across multi-valued attributes). */
export function valuesAt(resource: ScimResource, path: string): unknown[] {
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

/**
 * What one `a eq v1 or a eq v2 …` query found, per value (lower-cased): `null` for none, the
 * resource for exactly one. Values with several resources are left out, for the caller to
 * match alone (which names the duplicates). Fails — for the caller to match one by one —
 * when the answer is cut short or holds a resource with none of the values (a target that
 * ignores filters).
 */
export function pickMatches(
  page: ScimListPage,
  attribute: string,
  values: readonly string[],
  attempts: ScimResult<ScimListPage>['attempts'],
): ScimResult<Map<string, ScimResource | null>> {
  if (page.totalResults > page.resources.length)
    return failLastAttempt(
      failure(
        'ScimTooMany',
        `${page.totalResults} resources match but ${page.resources.length} were returned`,
      ),
      attempts,
    );
  const found = new Map<string, ScimResource[]>(values.map((v) => [v.toLowerCase(), []]));
  for (const r of page.resources) {
    let hit = false;
    for (const v of valuesAt(r, attribute)) {
      const list = typeof v === 'string' ? found.get(v.toLowerCase()) : undefined;
      if (list && !list.includes(r)) {
        list.push(r);
        hit = true;
      }
    }
    if (!hit)
      return failLastAttempt(
        failure(
          'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
          `Resource ${String(r.id)} has none of the ${values.length} ${attribute} values asked for: the target does not seem to apply the filter`,
        ),
        attempts,
      );
  }
  const out = new Map<string, ScimResource | null>();
  for (const [value, list] of found) if (list.length <= 1) out.set(value, list[0] ?? null);
  return succeed(out, attempts);
}
