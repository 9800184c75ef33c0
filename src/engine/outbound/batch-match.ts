import type { ScimResource } from '../../connectors/scim/scim-schemas.ts';
import type { HubUser } from '../../model/directory.ts';
import { mapPool } from './map-pool.ts';
import { matchingValue } from './matching-value.ts';
import type { UserTarget } from './sync-user.ts';

/** Values per filter request: short enough for any URL limit, long enough to save requests. */
export const MATCH_BATCH = 50;

/**
 * Matching for a cycle's chunk of users that have no anchor yet: their matching values
 * looked up `MATCH_BATCH` at a time (`userName eq "a" or userName eq "b" …`) instead of one
 * request each. Only what the target answered unambiguously is returned (hub id → resource,
 * or `null` for none); every other user is matched alone, as before.
 */
export async function batchMatch(
  t: UserTarget,
  users: ReadonlyArray<{ hubId: string; user?: HubUser | null }>,
  anchors: ReadonlyMap<string, string>,
  concurrency: number,
): Promise<Map<string, ScimResource | null>> {
  const byValue = new Map<string, string[]>();
  for (const { hubId, user } of users) {
    if (!user || !user.active || anchors.has(hubId)) continue;
    const m = matchingValue(t, user);
    if ('why' in m) continue;
    const key = m.value.toLowerCase();
    byValue.set(key, [...(byValue.get(key) ?? []), hubId]);
  }
  // Two hub users with one matching value are left to match alone (and be told apart there).
  const values = [...byValue].filter(([, ids]) => ids.length === 1).map(([v]) => v);
  const batches: string[][] = [];
  for (let i = 0; i < values.length; i += MATCH_BATCH)
    batches.push(values.slice(i, i + MATCH_BATCH));
  const out = new Map<string, ScimResource | null>();
  await mapPool(batches, concurrency, async (batch) => {
    const found = await t.client.matchUsers(t.matchPath, batch);
    if (!found.ok) return;
    for (const [value, resource] of found.value) {
      const [hubId] = byValue.get(value) ?? [];
      if (hubId) out.set(hubId, resource);
    }
  });
  return out;
}
