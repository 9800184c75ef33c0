import { lookupErrorCode, type ErrorCode } from '../../model/error-codes.ts';
import type { AttemptFailure } from './attempt-record.ts';
import type { RawExchange, ReceivedResponse } from './http-exchange.ts';
import { isObject, SCIM_ERROR_SCHEMA } from './scim-schemas.ts';

/**
 * The one place where the SCIM connector gives protocol results their meaning: HTTP status,
 * SCIM `scimType`, network failures and unusable bodies become catalog codes. Whether a
 * code is transient comes from the catalog, never from here.
 */

/**
 * What the request addressed. `resource`: one existing resource by id (GET, PUT, PATCH or
 * DELETE on `/Users/{id}`), so a 404 means the anchor points at nothing, not a wrong
 * endpoint. `token`: an OAuth 2 token endpoint, where any refusal (RFC 6749 §5.2 answers
 * 400 or 401) means the client credentials were not accepted.
 */
export type ExchangeTarget = 'resource' | 'collection' | 'token';

export type Classified =
  | { ok: true; status: number; body: unknown }
  | { ok: false; failure: AttemptFailure; body: unknown };

/** RFC 7644 §3.12 `scimType` keywords → catalog codes. */
const BY_SCIM_TYPE: Readonly<Record<string, ErrorCode>> = {
  uniqueness: 'EntryConflict',
  invalidfilter: 'ScimInvalidFilter',
  toomany: 'ScimTooMany',
  mutability: 'ScimMutability',
  invalidsyntax: 'ScimInvalidSyntax',
  invalidpath: 'ScimInvalidPath',
  notarget: 'ScimNoTarget',
  invalidvalue: 'ScimInvalidValue',
  invalidvers: 'ScimInvalidVers',
  sensitive: 'ScimSensitive',
};

/** The catalog code for a SCIM `scimType` keyword, whoever reported it. */
export function codeForScimType(scimType: string): ErrorCode | undefined {
  return BY_SCIM_TYPE[scimType.toLowerCase()];
}

/** A failure with the catalog's verdict on retrying. */
export function failure(code: ErrorCode, reason: string, retryAfterMs?: number): AttemptFailure {
  const transient = lookupErrorCode(code)?.transient ?? false;
  const out: AttemptFailure = { code, reason: reason.slice(0, 1000), transient };
  if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
  return out;
}

export function classifyExchange(raw: RawExchange, target: ExchangeTarget): Classified {
  if (raw.kind === 'network') {
    const body = raw.partial ? parseBody(raw.partial.text).body : undefined;
    const after = raw.partial ? ` after HTTP ${raw.partial.status} headers` : '';
    return raw.failure === 'timeout'
      ? { ok: false, body, failure: failure('Timeout', `Timed out${after}: ${raw.message}`) }
      : {
          ok: false,
          body,
          failure: failure(
            'WebExceptionProtocolError',
            `Connection failed${after}: ${raw.message}`,
          ),
        };
  }
  return classifyResponse(raw.response, target);
}

function classifyResponse(res: ReceivedResponse, target: ExchangeTarget): Classified {
  const { status } = res;
  const { body, json } = parseBody(res.text);
  const fail = (f: AttemptFailure): Classified => ({ ok: false, failure: f, body });
  if (res.truncated) {
    return fail(
      failure(
        'ResponseTooLarge',
        `HTTP ${status}: the response body passed the size limit and was cut`,
      ),
    );
  }
  if (status >= 300 && status < 400) {
    const location = res.headers.location;
    return fail(
      failure(
        'RedirectNotFollowed',
        `HTTP ${status} redirect${location ? ` to ${location}` : ' without a Location header'}`,
      ),
    );
  }
  if (status >= 200 && status < 300) {
    if (!json && res.text.trim() !== '') {
      return fail(
        failure(
          'InvalidResponseBody',
          `HTTP ${status} with a body that is not JSON: ${preview(res.text)}`,
        ),
      );
    }
    if (isScimError(body)) {
      return fail(
        failure(
          'InvalidResponseBody',
          `HTTP ${status} whose body is a SCIM error: ${errorDetail(body)}`,
        ),
      );
    }
    return { ok: true, status, body };
  }
  return fail(classifyErrorStatus(status, res, body, target));
}

function classifyErrorStatus(
  status: number,
  res: ReceivedResponse,
  body: unknown,
  target: ExchangeTarget,
): AttemptFailure {
  const scimType = scimTypeOf(body);
  const detail = errorDetail(body) || preview(res.text);
  const reason = `HTTP ${status}${scimType ? ` (scimType ${scimType})` : ''}${detail ? `: ${detail}` : ''}`;
  const byType = scimType ? codeForScimType(scimType) : undefined;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  if (target === 'token' && status >= 400 && status < 500 && status !== 429) {
    return failure(
      'AuthenticationFailed',
      `Token endpoint refused the client credentials: ${reason}`,
    );
  }
  switch (status) {
    case 400:
      return failure(byType ?? 'BadRequest', reason);
    case 401:
      return failure('AuthenticationFailed', reason);
    case 403:
      return failure('InsufficientRights', reason);
    case 404:
      return target === 'resource'
        ? failure('InvalidAnchor', reason)
        : failure('NotImplemented', `${reason} (the endpoint does not exist: check the base URL)`);
    case 405:
      return failure('MethodNotAllowed', reason);
    case 409:
      return failure('EntryConflict', reason);
    case 422:
      return failure(byType ?? 'UnprocessableEntity', reason);
    case 429:
      return failure('TooManyRequests', reason, retryAfterMs);
    case 501:
      return failure('NotImplemented', reason);
    case 503:
      return failure('ServiceUnavailable', reason, retryAfterMs);
    case 504:
      return failure('Timeout', reason);
    default:
      if (status >= 500) return failure('InternalServerError', reason, retryAfterMs);
      return failure(byType ?? 'NotImplemented', `Unexpected ${reason}`);
  }
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), bounded to a day. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), 24 * 3600_000);
}

function parseBody(text: string): { body: unknown; json: boolean } {
  if (text.trim() === '') return { body: undefined, json: false };
  try {
    return { body: JSON.parse(text) as unknown, json: true };
  } catch {
    return { body: text, json: false };
  }
}

function isScimError(body: unknown): boolean {
  if (!isObject(body)) return false;
  const schemas = body.schemas;
  return Array.isArray(schemas) && schemas.includes(SCIM_ERROR_SCHEMA);
}

function scimTypeOf(body: unknown): string | undefined {
  return isObject(body) && typeof body.scimType === 'string' ? body.scimType : undefined;
}

function errorDetail(body: unknown): string {
  if (!isObject(body)) return '';
  const detail = body.detail ?? body.message ?? body.error_description ?? body.error;
  return typeof detail === 'string' ? detail.slice(0, 300) : '';
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
