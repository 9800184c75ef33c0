import type { Client } from 'ldapts';

// Syntaxes whose values are bytes, not text (RFC 4517 and the X.509 ones): read as Buffers.
const BINARY_SYNTAXES = new Set([
  '1.3.6.1.4.1.1466.115.121.1.4', // Audio
  '1.3.6.1.4.1.1466.115.121.1.5', // Binary
  '1.3.6.1.4.1.1466.115.121.1.8', // Certificate
  '1.3.6.1.4.1.1466.115.121.1.9', // Certificate List
  '1.3.6.1.4.1.1466.115.121.1.10', // Certificate Pair
  '1.3.6.1.4.1.1466.115.121.1.28', // JPEG
  '1.3.6.1.4.1.1466.115.121.1.40', // Octet String
  '1.3.6.1.4.1.1466.115.121.1.49', // Supported Algorithm
  '1.2.840.113556.1.4.907', // AD security descriptor
]);

interface AttributeType {
  names: string[];
  binary: boolean;
}

/**
 * The directory's attribute types, read once from its subschema entry: which names (and
 * aliases, compared case-insensitively) exist, and which hold bytes. `known` is false when
 * the schema could not be read (e.g. no access): then every name is taken on trust.
 */
export class LdapSchema {
  private readonly byName = new Map<string, AttributeType>();

  private constructor(
    types: AttributeType[],
    readonly known: boolean,
  ) {
    for (const t of types) for (const n of t.names) this.byName.set(n.toLowerCase(), t);
  }

  static unknown(): LdapSchema {
    return new LdapSchema([], false);
  }

  /** Parses RFC 4512 AttributeTypeDescription values (names, SUP, SYNTAX). */
  static parse(descriptions: readonly string[]): LdapSchema {
    const raw = descriptions.map((d) => ({
      oid: /^\(\s*([\w.-]+)/.exec(d)?.[1] ?? '',
      names: namesOf(d),
      sup: /\sSUP\s+'?([\w.;-]+)'?/.exec(d)?.[1],
      syntax: /\sSYNTAX\s+'?([\d.]+)/.exec(d)?.[1],
    }));
    const byKey = new Map<string, (typeof raw)[number]>();
    for (const r of raw) {
      byKey.set(r.oid.toLowerCase(), r);
      for (const n of r.names) byKey.set(n.toLowerCase(), r);
    }
    // A type without SYNTAX inherits its supertype's (cn → name).
    const syntaxOf = (r: (typeof raw)[number] | undefined, depth = 0): string | undefined => {
      if (!r || depth > 20) return undefined;
      return r.syntax ?? (r.sup ? syntaxOf(byKey.get(r.sup.toLowerCase()), depth + 1) : undefined);
    };
    const types = raw.map((r) => ({
      names: r.names.length ? r.names : [r.oid],
      binary: BINARY_SYNTAXES.has(syntaxOf(r) ?? ''),
    }));
    return new LdapSchema(types, true);
  }

  /** Every attribute name the directory knows (each alias too). */
  names(): string[] {
    return [...new Set([...this.byName.values()].flatMap((t) => t.names))];
  }

  has(name: string): boolean {
    return !this.known || this.byName.has(name.toLowerCase());
  }

  isBinary(name: string): boolean {
    return this.byName.get(name.toLowerCase())?.binary ?? false;
  }

  /** Whether two names denote the same attribute type (`sn` and `surname`). */
  same(a: string, b: string): boolean {
    if (a.toLowerCase() === b.toLowerCase()) return true;
    const t = this.byName.get(a.toLowerCase());
    return t !== undefined && t === this.byName.get(b.toLowerCase());
  }

  /** The other names of the same type (to ask for a binary attribute under any of them). */
  aliases(name: string): string[] {
    return this.byName.get(name.toLowerCase())?.names ?? [name];
  }
}

function namesOf(description: string): string[] {
  const m = /\sNAME\s+(?:'([^']+)'|\(([^)]*)\))/.exec(description);
  if (!m) return [];
  if (m[1]) return [m[1]];
  return [...(m[2] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1]!);
}

/**
 * Reads the schema the root DSE points to. A directory that hides it yields an unknown schema
 * (mapping names cannot be checked up front), not a failure.
 */
export async function readLdapSchema(client: Client): Promise<LdapSchema> {
  try {
    const root = await client.search('', { scope: 'base', attributes: ['subschemaSubentry'] });
    const sub = root.searchEntries[0]?.subschemaSubentry;
    const dn = typeof sub === 'string' ? sub : Array.isArray(sub) ? String(sub[0] ?? '') : '';
    if (!dn) return LdapSchema.unknown();
    const res = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=subschema)',
      attributes: ['attributeTypes'],
    });
    const types = res.searchEntries[0]?.attributeTypes;
    const list = Array.isArray(types) ? types.map(String) : types ? [String(types)] : [];
    return list.length ? LdapSchema.parse(list) : LdapSchema.unknown();
  } catch {
    return LdapSchema.unknown();
  }
}
