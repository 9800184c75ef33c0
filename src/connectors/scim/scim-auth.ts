import type { Dispatcher } from 'undici';
import type { AttemptFailure, AttemptRecord } from './attempt-record.ts';
import { failure } from './classify-exchange.ts';
import { performAttempt, type AttemptLimits } from './perform-attempt.ts';
import type { ScimAuth } from './scim-options.ts';
import { isObject } from './scim-schemas.ts';

export type AuthHeader =
  | { ok: true; value: string; attempts: AttemptRecord[] }
  | { ok: false; failure: AttemptFailure; attempts: AttemptRecord[] };

/** The Authorization header for a system; OAuth 2 tokens are fetched, cached and renewed. */
export interface Authorizer {
  header(): Promise<AuthHeader>;
  /**
   * The target answered 401 to `rejected`. True when asking again may help: an OAuth 2
   * token is then dropped (once, however many requests were refused with it).
   */
  invalidate(rejected: string): boolean;
}

/** Renew tokens this long before they expire, so none expires in flight. */
const EXPIRY_MARGIN_MS = 30_000;

export function createAuthorizer(
  auth: ScimAuth,
  dispatcher: Dispatcher,
  limits: AttemptLimits,
): Authorizer {
  switch (auth.type) {
    case 'bearer':
      return fixed(`Bearer ${auth.token}`);
    case 'basic':
      return fixed(`Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`);
    case 'oauth2':
      return clientCredentials(auth, dispatcher, limits);
  }
}

function fixed(value: string): Authorizer {
  return {
    header: () => Promise.resolve({ ok: true, value, attempts: [] }),
    invalidate: () => false,
  };
}

type OAuth2 = Extract<ScimAuth, { type: 'oauth2' }>;

function clientCredentials(
  auth: OAuth2,
  dispatcher: Dispatcher,
  limits: AttemptLimits,
): Authorizer {
  let cached: { value: string; expiresAt: number } | undefined;
  // Concurrent requests share one token request.
  let pending: Promise<AuthHeader> | undefined;

  async function fetchToken(): Promise<AuthHeader> {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (auth.scope) form.scope = auth.scope;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if ((auth.clientAuth ?? 'basic') === 'basic') {
      // RFC 6749 §2.3.1: both parts form-urlencoded before the Basic encoding.
      const pair = `${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.client_id = auth.clientId;
      form.client_secret = auth.clientSecret;
    }
    const { classified, attempt } = await performAttempt(
      dispatcher,
      {
        method: 'POST',
        url: auth.tokenUrl,
        headers,
        body: form,
        payload: new URLSearchParams(form).toString(),
        target: 'token',
      },
      limits,
    );
    if (!classified.ok) return { ok: false, failure: classified.failure, attempts: [attempt] };
    const token = parseTokenResponse(classified.body);
    if (!token.ok) {
      const f = failure('AuthenticationFailed', `Token endpoint answered ${token.reason}`);
      return { ok: false, failure: f, attempts: [{ ...attempt, outcome: f }] };
    }
    const lifetime = token.expiresInMs ?? 3600_000;
    cached = {
      value: `Bearer ${token.accessToken}`,
      expiresAt: Date.now() + lifetime - Math.min(EXPIRY_MARGIN_MS, lifetime / 10),
    };
    return { ok: true, value: cached.value, attempts: [attempt] };
  }

  return {
    header() {
      if (cached && cached.expiresAt > Date.now())
        return Promise.resolve({ ok: true, value: cached.value, attempts: [] });
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(rejected) {
      if (cached?.value === rejected) cached = undefined;
      return true;
    },
  };
}

function parseTokenResponse(
  body: unknown,
): { ok: true; accessToken: string; expiresInMs?: number } | { ok: false; reason: string } {
  if (!isObject(body)) return { ok: false, reason: 'without a JSON object' };
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = body;
  if (typeof accessToken !== 'string' || accessToken === '')
    return { ok: false, reason: 'without an access_token' };
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer')
    return { ok: false, reason: `with token_type ${JSON.stringify(tokenType)}, not Bearer` };
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)
    return { ok: true, accessToken, expiresInMs: seconds * 1000 };
  return { ok: true, accessToken };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
