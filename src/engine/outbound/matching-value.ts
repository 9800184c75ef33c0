import type { HubUser } from '../../model/directory.ts';
import { evaluateScope } from '../scoping.ts';
import { hubUserValues } from './scim-shape.ts';
import type { UserTarget } from './sync-user.ts';

/**
 * The value a hub user is matched on in the target (the job's mapping of its matching
 * attribute), or why it has none: out of the job's scope, or nothing mapped.
 */
export function matchingValue(t: UserTarget, user: HubUser): { value: string } | { why: string } {
  const values = hubUserValues(user);
  const scope = evaluateScope(t.job.scoping, values);
  if (!scope.inScope) return { why: `out of scope: ${scope.reason}` };
  const mapped = t.mapper.map(values);
  const value = mapped.outcome === 'mapped' ? mapped.attributes[t.matchPath] : undefined;
  return value ? { value } : { why: `no value for the matching attribute ${t.matchPath}` };
}
