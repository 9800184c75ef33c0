import { Agent, type Dispatcher } from 'undici';
import type { AttemptRecord } from './attempt-record.ts';
import type { ExchangeTarget } from './classify-exchange.ts';
import { performAttempt, type AttemptLimits } from './perform-attempt.ts';
import { createAuthorizer, type Authorizer } from './scim-auth.ts';
import type { ResolvedScimOptions } from './scim-options.ts';
import { fail, succeed, type ScimResult } from './scim-result.ts';
import { createSystemLimiter, type SystemLimiter } from './system-limiter.ts';

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, starting with `/`; ids already percent-encoded. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  target: Exclude<ExchangeTarget, 'token'>;
}

/** A response that passed the HTTP-level checks; its content is the caller's to check. */
export interface ScimResponse {
  status: number;
  body: unknown;
}

/** Sends SCIM requests to one system: authenticated, limited, classified, recorded. */
export interface ScimTransport {
  send(request: ScimRequest): Promise<ScimResult<ScimResponse>>;
  close(): Promise<void>;
}

const ACCEPT = 'application/scim+json, application/json';

export function createScimTransport(
  options: ResolvedScimOptions,
  dispatcher: Dispatcher = new Agent({
    connections: options.maxConcurrency,
    connect: { timeout: options.timeoutMs },
    keepAliveTimeout: 10_000,
  }),
): ScimTransport {
  const limits: AttemptLimits = {
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    maxRecordedBodyChars: options.maxRecordedBodyChars,
    extraSecretNames: options.secretNames,
  };
  const limiter: SystemLimiter = createSystemLimiter(options);
  const authorizer: Authorizer = createAuthorizer(options.auth, dispatcher, limits);

  async function sendOnce(request: ScimRequest): Promise<ScimResult<ScimResponse>> {
    const attempts: AttemptRecord[] = [];
    // A second round only after a 401 with a token that can be renewed.
    for (let round = 0; ; round++) {
      const auth = await authorizer.header();
      attempts.push(...auth.attempts);
      if (!auth.ok) return fail(auth.failure, attempts);
      const headers: Record<string, string> = { accept: ACCEPT, authorization: auth.value };
      if (request.body !== undefined) headers['content-type'] = 'application/scim+json';
      const { classified, attempt } = await performAttempt(
        dispatcher,
        {
          method: request.method,
          url: urlOf(options.baseUrl, request),
          headers,
          body: request.body,
          payload: request.body === undefined ? undefined : JSON.stringify(request.body),
          target: request.target,
        },
        limits,
      );
      attempts.push(attempt);
      if (classified.ok)
        return succeed({ status: classified.status, body: classified.body }, attempts);
      const { failure } = classified;
      if (
        failure.code === 'AuthenticationFailed' &&
        round === 0 &&
        authorizer.invalidate(auth.value)
      )
        continue;
      if (failure.retryAfterMs !== undefined && options.maxThrottleHoldMs > 0)
        limiter.holdUntil(Date.now() + Math.min(failure.retryAfterMs, options.maxThrottleHoldMs));
      return fail(failure, attempts);
    }
  }

  return {
    send: (request) => limiter.run(() => sendOnce(request)),
    close: () => dispatcher.close(),
  };
}

function urlOf(baseUrl: string, request: ScimRequest): string {
  // %20 rather than URLSearchParams' `+`: RFC 3986 gives `+` no meaning, and some targets keep it.
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${baseUrl}${request.path}${query ? `?${query}` : ''}`;
}
