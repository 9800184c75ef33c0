import type { Entry } from 'ldapts';
import type { LdapSchema } from './ldap-schema.ts';

type Raw = Entry[string];

/** All values of an attribute as text: bytes as base64 (binary attributes are never decoded). */
export function valuesOf(raw: Raw | undefined): string[] {
  if (raw === undefined) return [];
  const list: Array<string | Buffer> = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
}

/**
 * The values a job reads from one entry, under the names the job uses (`Mail`, `surname`),
 * whatever case or alias the server answered with. A multi-valued attribute gives its first
 * value (the server's order), as a single-valued hub attribute can hold only one; `dn` is the
 * entry's DN.
 */
export function entryValues(
  entry: Entry,
  wanted: readonly string[],
  schema: LdapSchema,
): Record<string, string> {
  const out: Record<string, string> = { dn: entry.dn };
  const returned = Object.keys(entry).filter((k) => k !== 'dn');
  for (const name of wanted) {
    if (name.toLowerCase() === 'dn') continue;
    for (const k of returned) {
      if (!schema.same(k, name)) continue;
      const first = valuesOf(entry[k])[0];
      if (first !== undefined) {
        out[name] = first;
        break;
      }
    }
  }
  return out;
}

/** The values of one attribute (any alias, any case) of an entry. */
export function attributeValues(entry: Entry, name: string, schema: LdapSchema): string[] {
  for (const k of Object.keys(entry)) {
    if (k !== 'dn' && schema.same(k, name)) {
      const values = valuesOf(entry[k]);
      if (values.length) return values;
    }
  }
  return [];
}

/** GeneralizedTime (`20261123161818Z`, `20261123161818.0Z`, with offsets) → epoch ms. */
export function parseGeneralizedTime(value: string): number | undefined {
  const m =
    /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/.exec(
      value.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00', frac, tz] = m;
  let ms = Date.UTC(
    +y!,
    +mo! - 1,
    +d!,
    +h!,
    +mi,
    +s,
    frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
  );
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const offset = (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5) || '0')) * 60_000;
    ms -= sign * offset;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch ms → GeneralizedTime in UTC at second precision (what filters compare with). */
export function formatGeneralizedTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
