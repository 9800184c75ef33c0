import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const Secret = Type.String({ minLength: 1, maxLength: 10_000 });
/** Sent in a header as is: a line break would end the header early. */
const HeaderSecret = Type.String({
  minLength: 1,
  maxLength: 10_000,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});
const Url = Type.String({ minLength: 1, maxLength: 2000 });

export const ScimAuth = Type.Union([
  Type.Object(
    { type: Type.Literal('bearer'), token: HeaderSecret },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('basic'),
      // RFC 7617: the user-id cannot hold a colon.
      username: Type.String({ minLength: 1, maxLength: 500, pattern: '^[^:\\u0000-\\u001f]+$' }),
      password: Secret,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('oauth2'),
      tokenUrl: Url,
      clientId: Type.String({ minLength: 1, maxLength: 500 }),
      clientSecret: Secret,
      scope: Type.Optional(Type.String({ maxLength: 2000 })),
      /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1); default `basic`. */
      clientAuth: Type.Optional(Type.Union([Type.Literal('basic'), Type.Literal('body')])),
    },
    { additionalProperties: false },
  ),
]);
export type ScimAuth = Static<typeof ScimAuth>;

/** A SCIM target system's connection settings, secrets included (decrypted by the caller). */
export const ScimConnectorOptions = Type.Object(
  {
    /** The SCIM base URL, e.g. `https://app.example.com/scim/v2`. */
    baseUrl: Url,
    auth: ScimAuth,
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000 })),
    maxResponseBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 })),
    maxRecordedBodyChars: Type.Optional(Type.Integer({ minimum: 256, maximum: 1024 * 1024 })),
    maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    ratePerSecond: Type.Optional(Type.Number({ minimum: 0.1, maximum: 10_000 })),
    burst: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** Longest a Retry-After may hold every request of the system; 0 turns holding off. */
    maxThrottleHoldMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    discoveryTtlMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600_000 })),
    /** Group members sent in one request (a create, or one PATCH); more go in several. */
    maxMembersPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Attribute names of this target that hold secrets, beyond the usual ones. */
    secretAttributes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
    ),
  },
  { additionalProperties: false },
);
export type ScimConnectorOptions = Static<typeof ScimConnectorOptions>;

/** Options with every default filled in and the URLs checked. */
export interface ResolvedScimOptions {
  baseUrl: string;
  auth: ScimAuth;
  timeoutMs: number;
  maxResponseBytes: number;
  maxRecordedBodyChars: number;
  maxConcurrency: number;
  ratePerSecond: number;
  burst: number;
  maxThrottleHoldMs: number;
  discoveryTtlMs: number;
  maxMembersPerRequest: number;
  secretNames: ReadonlySet<string>;
}

const check = TypeCompiler.Compile(ScimConnectorOptions);

export type ParsedScimOptions =
  { ok: true; options: ResolvedScimOptions } | { ok: false; errors: string[] };

export function parseScimOptions(input: unknown): ParsedScimOptions {
  if (!check.Check(input)) {
    const errors = [...check.Errors(input)]
      .slice(0, 10)
      .map((e) => `${e.path || '/'}: ${e.message}`);
    return { ok: false, errors };
  }
  const errors: string[] = [];
  const baseUrl = checkUrl('/baseUrl', input.baseUrl, errors);
  if (input.auth.type === 'oauth2') checkUrl('/auth/tokenUrl', input.auth.tokenUrl, errors);
  if (errors.length > 0 || baseUrl === undefined) return { ok: false, errors };
  const ratePerSecond = input.ratePerSecond ?? 20;
  return {
    ok: true,
    options: {
      baseUrl,
      auth: input.auth,
      timeoutMs: input.timeoutMs ?? 30_000,
      maxResponseBytes: input.maxResponseBytes ?? 4 * 1024 * 1024,
      maxRecordedBodyChars: input.maxRecordedBodyChars ?? 64 * 1024,
      maxConcurrency: input.maxConcurrency ?? 4,
      ratePerSecond,
      burst: input.burst ?? Math.max(1, Math.ceil(ratePerSecond)),
      maxThrottleHoldMs: input.maxThrottleHoldMs ?? 60_000,
      discoveryTtlMs: input.discoveryTtlMs ?? 3600_000,
      maxMembersPerRequest: input.maxMembersPerRequest ?? 1000,
      secretNames: new Set((input.secretAttributes ?? []).map((name) => name.toLowerCase())),
    },
  };
}

/** An http(s) URL without credentials, query or fragment; returned without a trailing slash. */
function checkUrl(field: string, value: string, errors: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    errors.push(`${field}: is not a URL`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    errors.push(`${field}: must be an http or https URL`);
  if (url.username || url.password)
    errors.push(`${field}: must not hold credentials; use the auth settings`);
  if (url.search || url.hash) errors.push(`${field}: must not have a query or a fragment`);
  return url.href.replace(/\/+$/, '');
}
