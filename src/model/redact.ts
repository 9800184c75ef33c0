/**
 * Secrets never reach the log: redaction runs before write, by attribute name.
 * Connectors add names from their own schema through `extraNames`.
 */
export const REDACTED = '[REDACTED]';

const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|otp|pin)s?$/i;
const SECRET_PREFIX = /^(pass(word|wd)|secret|client[-_]?secret|x-api-key)/i;

function isSecretSegment(segment: string, extraNames?: ReadonlySet<string>): boolean {
  if (extraNames?.has(segment.toLowerCase())) return true;
  return (
    SECRET_NAME.test(segment) ||
    SECRET_PREFIX.test(segment) ||
    /unicodePwd|userPassword/i.test(segment)
  );
}

// Attribute names repeat across millions of entries: remember the verdict for each (bounded).
const verdicts = new Map<string, boolean>();

export function isSecretName(name: string, extraNames?: ReadonlySet<string>): boolean {
  if (extraNames) return computeIsSecretName(name, extraNames);
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = computeIsSecretName(name);
    if (verdicts.size >= 10_000) verdicts.clear();
    verdicts.set(name, verdict);
  }
  return verdict;
}

function computeIsSecretName(name: string, extraNames?: ReadonlySet<string>): boolean {
  // SCIM paths: `urn:…:User:password`, or `credentials[type eq "x"].value`, where the secret
  // is a parent of the leaf — so any segment of the path that names a secret counts.
  const segments = name
    .replace(/\[[^\]]*\]/g, '')
    .split(/[:.]/)
    .filter(Boolean);
  return segments.some((segment) => isSecretSegment(segment, extraNames));
}

/** Whether anything in a JSON value would be redacted (no allocation: the common case is "no"). */
function needsRedaction(
  value: unknown,
  extraNames: ReadonlySet<string> | undefined,
  depth: number,
): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > 32) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (needsRedaction(v, extraNames, depth + 1)) return true;
    return false;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.path === 'string' && 'value' in obj && isSecretName(obj.path, extraNames))
    return true;
  for (const key in obj) {
    if (isSecretName(key, extraNames) || needsRedaction(obj[key], extraNames, depth + 1))
      return true;
  }
  return false;
}

/**
 * A JSON value with the values of secret-named keys replaced: the value itself when it holds
 * no secret, else a copy (the input is never changed).
 */
export function redactValue(value: unknown, extraNames?: ReadonlySet<string>, depth = 0): unknown {
  if (depth === 0 && !needsRedaction(value, extraNames, 0)) return value;
  return copyRedacted(value, extraNames, depth);
}

function copyRedacted(
  value: unknown,
  extraNames: ReadonlySet<string> | undefined,
  depth: number,
): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any real payload: redact the rest whole rather than let a secret through.
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => copyRedacted(v, extraNames, depth + 1));
  const obj = value as Record<string, unknown>;
  // A SCIM PATCH operation names its attribute in `path`; its `value` is then the secret.
  const patchPathIsSecret = typeof obj.path === 'string' && isSecretName(obj.path, extraNames);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (isSecretName(key, extraNames) || (patchPathIsSecret && key === 'value')) {
      out[key] = v === null || v === undefined ? v : REDACTED;
    } else {
      out[key] = copyRedacted(v, extraNames, depth + 1);
    }
  }
  return out;
}

/**
 * Replaces secret query parameters and a userinfo password in a URL, leaving every other
 * character as it was sent (re-encoding would make the logged URL differ from the real one).
 */
export function redactUrl(url: string, extraNames?: ReadonlySet<string>): string {
  const withoutPassword = url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i,
    `$1:${REDACTED}@`,
  );
  const q = withoutPassword.indexOf('?');
  if (q === -1) return withoutPassword;
  const hashAt = withoutPassword.indexOf('#', q);
  const end = hashAt === -1 ? withoutPassword.length : hashAt;
  const query = withoutPassword
    .slice(q + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let key = pair.slice(0, eq);
      try {
        key = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        // keep the raw key: a malformed escape is still checked as written
      }
      return isSecretName(key, extraNames) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${withoutPassword.slice(0, q + 1)}${query}${withoutPassword.slice(end)}`;
}

export function redactHeaders(
  headers: Record<string, string>,
  extraNames?: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretName(k, extraNames) ? REDACTED : v;
  return out;
}
