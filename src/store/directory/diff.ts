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
  const flat = (r: Record<string, unknown>) => {
    const f: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'attributes' && v && typeof v === 'object') {
        for (const [ak, av] of Object.entries(v)) f[`attributes.${ak}`] = av;
      } else f[k] = v;
    }
    return f;
  };
  const a = flat(before);
  const b = flat(after);
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const oldValue = a[name] ?? null;
    const newValue = b[name] ?? null;
    if (JSON.stringify(oldValue) !== JSON.stringify(newValue))
      out.push({ name, oldValue, newValue });
  }
  return out;
}
