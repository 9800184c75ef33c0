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
    if (oldValue === newValue) continue;
    // Two different plain values differ; arrays and objects are compared by content.
    if (
      (typeof oldValue === 'object' && oldValue !== null) ||
      (typeof newValue === 'object' && newValue !== null)
    ) {
      if (JSON.stringify(oldValue) === JSON.stringify(newValue)) continue;
    }
    out.push({ name, oldValue, newValue });
  }
  return out;
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
