export interface AttributeChange {
  name: string;
  oldValue: unknown;
  newValue: unknown;
}

/** Attribute-level differences between two records, in name order; `attributes` compared key by key. */
export function diffAttributes(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): AttributeChange[] {
  const out: AttributeChange[] = [];
  const a = flat(before);
  const b = flat(after);
  const names = Object.keys(a);
  for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) names.push(k);
  for (const name of names.sort()) {
    const oldValue = a[name] ?? null;
    const newValue = b[name] ?? null;
    if (!sameValue(oldValue, newValue)) out.push({ name, oldValue, newValue });
  }
  return out;
}

/** Whether two attribute values are the same: plain values by identity, arrays and objects by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const objects = (typeof a === 'object' && a !== null) || (typeof b === 'object' && b !== null);
  return objects && JSON.stringify(a) === JSON.stringify(b);
}

/** The record with its `attributes` spread out as `attributes.<name>` (itself when it has none). */
function flat(r: Record<string, unknown>): Record<string, unknown> {
  const nested = r.attributes;
  if (!nested || typeof nested !== 'object') return r;
  const f: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'attributes') {
      for (const [ak, av] of Object.entries(nested)) f[`attributes.${ak}`] = av;
    } else f[k] = v;
  }
  return f;
}
