import type { HubGroup, HubUser } from '../../model/directory.ts';
import type { AttributeChange } from '../../connectors/scim/patch-ops.ts';

/**
 * Between hub objects and SCIM resources: the hub values mappings read, the resource a
 * job's mappings describe (targets are SCIM paths: `userName`, `name.givenName`,
 * `emails[type eq "work"].value`, `urn:…:User:employeeNumber`), and what differs from the
 * resource the target holds.
 */

/** A hub user as flat text values: its fields, and extra attributes by name. */
export function hubUserValues(u: HubUser): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(u.attributes ?? {}))
    if (v !== null) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  for (const [k, v] of Object.entries(u)) {
    if (k === 'attributes' || v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : String(v);
  }
  return out;
}

export function hubGroupValues(g: HubGroup): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(g.attributes ?? {}))
    if (v !== null) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  out.id = g.id;
  out.displayName = g.displayName;
  if (g.description) out.description = g.description;
  return out;
}

type Parsed =
  | { kind: 'plain'; parts: string[] }
  | { kind: 'filtered'; attr: string; key: string; keyValue: string; sub: string };

const FILTERED =
  /^([A-Za-z][\w$-]*)\[\s*([A-Za-z][\w$-]*)\s+eq\s+"([^"]*)"\s*\]\.([A-Za-z][\w$-]*)$/;

/** A path split into where its value lives; URN paths keep the URN as their first part. */
function parsePath(path: string): Parsed {
  if (path.startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    return { kind: 'plain', parts: [path.slice(0, cut), ...path.slice(cut + 1).split('.')] };
  }
  const m = FILTERED.exec(path);
  if (m) return { kind: 'filtered', attr: m[1]!, key: m[2]!, keyValue: m[3]!, sub: m[4]! };
  return { kind: 'plain', parts: path.split('.') };
}

/** SCIM booleans are JSON booleans; everything else a job maps is text. */
export function typed(path: string, value: string): unknown {
  const last = path.split(/[.:]/).pop();
  if (last === 'active' || last === 'primary') return value === 'true';
  return value;
}

/** The resource the mapped values describe. */
export function buildResource(mapped: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, raw] of Object.entries(mapped)) {
    const value = typed(path, raw);
    const p = parsePath(path);
    if (p.kind === 'filtered') {
      const list = (Array.isArray(out[p.attr]) ? out[p.attr] : (out[p.attr] = [])) as Array<
        Record<string, unknown>
      >;
      let item = list.find((i) => i[p.key] === p.keyValue);
      if (!item) list.push((item = { [p.key]: p.keyValue }));
      item[p.sub] = value;
      if (p.attr === 'emails' && list.length === 1) item.primary = true;
      continue;
    }
    let node = out;
    p.parts.forEach((part, i) => {
      if (i === p.parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

/** The value at a path of a resource read from the target, as text (`undefined` when absent). */
export function valueAt(resource: Record<string, unknown>, path: string): string | undefined {
  const p = parsePath(path);
  let v: unknown;
  if (p.kind === 'filtered') {
    const list = resource[p.attr];
    const item = Array.isArray(list)
      ? (list as Array<Record<string, unknown>>).find(
          (i) => typeof i === 'object' && i !== null && String(i[p.key]) === p.keyValue,
        )
      : undefined;
    v = item?.[p.sub];
  } else {
    v = resource;
    for (const part of p.parts)
      v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  }
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export interface Difference {
  change: AttributeChange;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * What to change in `current` so it holds `mapped`: every mapped path whose value differs,
 * and every path a mapping could fill that is now empty in the hub but set in the target.
 */
export function differences(
  current: Record<string, unknown>,
  mapped: Record<string, string>,
  mappedPaths: readonly string[],
): Difference[] {
  const out: Difference[] = [];
  const desired = buildResource(mapped);
  const appended = new Set<string>();
  for (const path of mappedPaths) {
    const want = mapped[path];
    const have = valueAt(current, path);
    if (want === have) continue;
    if (want === undefined && have === undefined) continue;
    const p = parsePath(path);
    if (p.kind === 'filtered' && want !== undefined && !hasItem(current, p)) {
      // A replace through a value filter that matches nothing is noTarget (RFC 7644
      // §3.5.2.3): the missing element is added by replacing the list with it appended.
      if (!appended.has(p.attr)) {
        appended.add(p.attr);
        const have = Array.isArray(current[p.attr]) ? (current[p.attr] as unknown[]) : [];
        const wanted = (desired[p.attr] as Array<Record<string, unknown>>).filter(
          (item) => !hasItem(current, { ...p, keyValue: String(item[p.key]) }),
        );
        out.push({
          change: { path: p.attr, value: [...have, ...wanted] },
          oldValue: have.length ? JSON.stringify(have) : null,
          newValue: JSON.stringify([...have, ...wanted]),
        });
      }
      continue;
    }
    out.push({
      change: { path, value: want === undefined ? null : typed(path, want) },
      oldValue: have ?? null,
      newValue: want ?? null,
    });
  }
  return out;
}

function hasItem(
  resource: Record<string, unknown>,
  p: { attr: string; key: string; keyValue: string },
): boolean {
  const list = resource[p.attr];
  return (
    Array.isArray(list) &&
    list.some(
      (i) =>
        typeof i === 'object' &&
        i !== null &&
        String((i as Record<string, unknown>)[p.key]) === p.keyValue,
    )
  );
}
