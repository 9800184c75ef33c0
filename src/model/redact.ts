/**
 * Secrets never reach the log: redaction runs before write, by attribute name.
 * Connectors add names from their own schema through `extraNames`.
 */
export const REDACTED = '[REDACTED]';

const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|otp|pin)$/i;
const SECRET_PREFIX = /^(pass(word|wd)|secret|client[-_]?secret|x-api-key)/i;

export function isSecretName(name: string, extraNames?: ReadonlySet<string>): boolean {
  // SCIM paths such as `urn:…:User:password` or `credentials[type eq "x"].value` end in the attribute.
  const leaf = name.split(/[:.]/).pop() ?? name;
  const base = leaf.replace(/\[.*$/, '');
  if (extraNames?.has(base.toLowerCase())) return true;
  return SECRET_NAME.test(base) || SECRET_PREFIX.test(base) || /unicodePwd|userPassword/i.test(base);
}

/** Deep copy of a JSON value with the values of secret-named keys replaced. */
export function redactValue(value: unknown, extraNames?: ReadonlySet<string>, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, extraNames, depth + 1));
  const obj = value as Record<string, unknown>;
  // A SCIM PATCH operation names its attribute in `path`; its `value` is then the secret.
  const patchPathIsSecret = typeof obj.path === 'string' && isSecretName(obj.path, extraNames);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (isSecretName(key, extraNames) || (patchPathIsSecret && key === 'value')) {
      out[key] = v === null || v === undefined ? v : REDACTED;
    } else {
      out[key] = redactValue(v, extraNames, depth + 1);
    }
  }
  return out;
}

/** Replaces secret query parameters and userinfo in a URL, keeping the rest readable. */
export function redactUrl(url: string, extraNames?: ReadonlySet<string>): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/([?&][^=&#]*(?:token|secret|password|key)[^=&#]*=)[^&#]*/gi, `$1${REDACTED}`);
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = 'REDACTED';
    changed = true;
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSecretName(key, extraNames)) {
      parsed.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? parsed.toString() : url;
}

export function redactHeaders(
  headers: Record<string, string>,
  extraNames?: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretName(k, extraNames) ? REDACTED : v;
  return out;
}
