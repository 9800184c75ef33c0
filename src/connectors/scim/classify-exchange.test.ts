import { describe, expect, it } from 'vitest';
import { classifyExchange, parseRetryAfter } from './classify-exchange.ts';
import type { RawExchange, ReceivedResponse } from './http-exchange.ts';

function response(
  status: number,
  body: unknown,
  extra: Partial<ReceivedResponse> = {},
): RawExchange {
  const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  return {
    kind: 'response',
    durationMs: 5,
    response: { status, headers: {}, text, truncated: false, ...extra },
  };
}

const codeOf = (raw: RawExchange, target: 'resource' | 'collection' | 'token' = 'resource') => {
  const classified = classifyExchange(raw, target);
  return classified.ok ? 'ok' : classified.failure.code;
};

describe('classifyExchange', () => {
  it('passes 2xx JSON and empty bodies through', () => {
    expect(classifyExchange(response(200, { id: '1' }), 'resource')).toEqual({
      ok: true,
      status: 200,
      body: { id: '1' },
    });
    expect(classifyExchange(response(204, undefined), 'resource')).toMatchObject({ ok: true });
  });

  it('tells a 404 on a resource (a stale anchor) from a 404 on an endpoint (a wrong base URL)', () => {
    expect(codeOf(response(404, {}), 'resource')).toBe('InvalidAnchor');
    expect(codeOf(response(404, {}), 'collection')).toBe('NotImplemented');
  });

  it('reads scimType case-insensitively, on 400 and on 409', () => {
    expect(codeOf(response(400, { scimType: 'INVALIDFILTER' }))).toBe('ScimInvalidFilter');
    expect(codeOf(response(400, { scimType: 'tooMany' }))).toBe('ScimTooMany');
    expect(codeOf(response(400, { scimType: 'sensitive' }))).toBe('ScimSensitive');
    expect(codeOf(response(400, { scimType: 'invalidVers' }))).toBe('ScimInvalidVers');
    expect(codeOf(response(400, { scimType: 'somethingNew' }))).toBe('BadRequest');
    expect(codeOf(response(409, { scimType: 'uniqueness' }))).toBe('EntryConflict');
    expect(codeOf(response(409, 'conflict'))).toBe('EntryConflict');
    expect(codeOf(response(422, {}))).toBe('UnprocessableEntity');
  });

  it('takes the transient flag from the catalog and Retry-After from the headers', () => {
    const throttled = classifyExchange(
      response(429, '', { headers: { 'retry-after': '3' } }),
      'collection',
    );
    expect(throttled).toMatchObject({
      ok: false,
      failure: { code: 'TooManyRequests', transient: true, retryAfterMs: 3000 },
    });
    const unavailable = classifyExchange(
      response(503, '', { headers: { 'retry-after': '1' } }),
      'collection',
    );
    expect(unavailable).toMatchObject({
      failure: { code: 'ServiceUnavailable', retryAfterMs: 1000 },
    });
    expect(classifyExchange(response(409, {}), 'resource')).toMatchObject({
      failure: { transient: false },
    });
  });

  it('calls any refusal by a token endpoint an authentication failure, except throttling', () => {
    expect(codeOf(response(400, { error: 'invalid_client' }), 'token')).toBe(
      'AuthenticationFailed',
    );
    expect(codeOf(response(401, { error: 'invalid_client' }), 'token')).toBe(
      'AuthenticationFailed',
    );
    expect(codeOf(response(429, {}), 'token')).toBe('TooManyRequests');
    expect(codeOf(response(500, {}), 'token')).toBe('InternalServerError');
  });

  it('classifies unusable bodies, cut bodies, redirects and unknown statuses', () => {
    expect(codeOf(response(200, '<html>login</html>'))).toBe('InvalidResponseBody');
    expect(
      codeOf(
        response(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail: 'x' }),
      ),
    ).toBe('InvalidResponseBody');
    expect(codeOf(response(200, '{"Resources":[', { truncated: true }))).toBe('ResponseTooLarge');
    expect(codeOf(response(307, '', { headers: { location: 'https://elsewhere/' } }))).toBe(
      'RedirectNotFollowed',
    );
    expect(codeOf(response(418, 'teapot'))).toBe('NotImplemented');
    expect(codeOf(response(507, ''))).toBe('InternalServerError');
  });

  it('classifies network failures, keeping what was received', () => {
    const timeout: RawExchange = {
      kind: 'network',
      failure: 'timeout',
      message: 'late',
      durationMs: 1,
    };
    expect(classifyExchange(timeout, 'resource')).toMatchObject({
      failure: { code: 'Timeout', transient: true },
    });
    const reset: RawExchange = {
      kind: 'network',
      failure: 'connection',
      message: 'ECONNRESET',
      durationMs: 1,
      partial: { status: 200, headers: {}, text: '{"a":', truncated: false },
    };
    const classified = classifyExchange(reset, 'resource');
    expect(classified).toMatchObject({
      ok: false,
      body: '{"a":',
      failure: { code: 'WebExceptionProtocolError', transient: true },
    });
    expect(classified.ok || classified.failure.reason).toContain('after HTTP 200 headers');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, and bounds them', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999999', now)).toBe(24 * 3600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
