/**
 * A DN in a comparable form: attribute types and values lower-cased, spaces around `,` `=` `+`
 * removed, escapes kept. Member values and entry DNs are written by different hands (and
 * servers), so they are compared in this form only.
 */
export function normalizeDn(dn: string): string {
  const rdns: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      current += c + dn[i + 1]!;
      i++;
    } else if (c === ',' || c === ';') {
      rdns.push(normalizeRdn(current));
      current = '';
    } else current += c;
  }
  if (current.trim() || rdns.length) rdns.push(normalizeRdn(current));
  return rdns.join(',');
}

function normalizeRdn(rdn: string): string {
  return splitUnescaped(rdn, '+')
    .map((ava) => {
      const [type, ...rest] = splitUnescaped(ava, '=');
      return `${(type ?? '').trim().toLowerCase()}=${rest.join('=').trim().toLowerCase()}`;
    })
    .sort()
    .join('+');
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1]!;
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
