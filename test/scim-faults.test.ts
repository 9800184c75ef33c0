import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScimClient } from '../src/connectors/scim/scim-client.ts';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { failureOf, scimClientFor, valueOf } from './helpers/scim-client-for.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';

const TOKEN = 'fault-test-token-abcdef';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const TIMEOUT_MS = 600;
const MAX_BYTES = 32 * 1024;

describe('SCIM client through a fault-injecting proxy', () => {
  let server: ScimTestServer;
  let proxy: FaultProxy;
  let client: ScimClient;
  let userId: string;

  beforeAll(async () => {
    server = await startScimServer({ tokens: [TOKEN] });
    proxy = await startFaultProxy(server.origin);
    client = scimClientFor({
      baseUrl: `${proxy.origin}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: MAX_BYTES,
      maxRecordedBodyChars: 4096,
      // Holding every request after a 429 is tested on its own client below.
      maxThrottleHoldMs: 0,
    });
    userId = valueOf(await client.createUser({ userName: 'fault@example.com' })).id;
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(() => proxy.clear());

  it('maps 429 to TooManyRequests and keeps Retry-After, in seconds or as a date', async () => {
    proxy.inject({
      path: '/Users/',
      fault: {
        kind: 'respond',
        status: 429,
        headers: { 'retry-after': '7' },
        body: { schemas: [ERROR_SCHEMA], status: '429', detail: 'slow down' },
      },
    });
    const throttled = await client.getUser(userId);
    expect(failureOf(throttled)).toMatchObject({
      code: 'TooManyRequests',
      transient: true,
      retryAfterMs: 7000,
    });
    const record = throttled.attempts[0];
    expect(record?.response).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
    expect(record?.outcome).toMatchObject({ code: 'TooManyRequests', retryAfterMs: 7000 });

    const at = new Date(Date.now() + 120_000).toUTCString();
    proxy.inject({
      path: '/Users/',
      fault: { kind: 'respond', status: 429, headers: { 'retry-after': at } },
    });
    const dated = failureOf(await client.getUser(userId));
    expect(dated.retryAfterMs).toBeGreaterThan(100_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it.each([
    [500, 'InternalServerError', true],
    [502, 'InternalServerError', true],
    [503, 'ServiceUnavailable', true],
    [504, 'Timeout', true],
    [501, 'NotImplemented', false],
    [401, 'AuthenticationFailed', false],
    [403, 'InsufficientRights', false],
    [405, 'MethodNotAllowed', false],
  ] as const)('maps HTTP %i to %s (transient: %s)', async (status, code, transient) => {
    proxy.inject({
      path: '/Users/',
      fault: { kind: 'respond', status, body: { schemas: [ERROR_SCHEMA], status: String(status) } },
    });
    const result = await client.getUser(userId);
    expect(failureOf(result)).toMatchObject({ code, transient });
    expect(result.attempts.at(-1)?.response?.status).toBe(status);
  });

  it.each([
    ['mutability', 'ScimMutability'],
    ['invalidValue', 'ScimInvalidValue'],
    ['invalidSyntax', 'ScimInvalidSyntax'],
    ['invalidPath', 'ScimInvalidPath'],
    ['noTarget', 'ScimNoTarget'],
    ['uniqueness', 'EntryConflict'],
    [undefined, 'BadRequest'],
  ] as const)('maps 400 with scimType %s to %s', async (scimType, code) => {
    proxy.inject({
      method: 'PATCH',
      fault: {
        kind: 'respond',
        status: 400,
        body: { schemas: [ERROR_SCHEMA], status: '400', scimType, detail: 'refused' },
      },
    });
    const result = await client.patchUser(userId, [{ path: 'displayName', value: 'X' }]);
    expect(failureOf(result)).toMatchObject({ code, transient: false });
    expect(failureOf(result).reason).toContain('refused');
  });

  it('gives up on a slow response at the timeout, as a transient Timeout', async () => {
    proxy.inject({ path: '/Users/', fault: { kind: 'delay', ms: 5_000 } });
    const started = Date.now();
    const result = await client.getUser(userId);
    const elapsed = Date.now() - started;
    expect(failureOf(result)).toMatchObject({ code: 'Timeout', transient: true });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(result.attempts[0]?.response).toBeUndefined();
    // The next request goes through: the stuck one did not take the system with it.
    expect((await client.getUser(userId)).ok).toBe(true);
  });

  it('classifies a dropped connection as WebExceptionProtocolError, before or during the body', async () => {
    proxy.inject({ path: '/Users/', fault: { kind: 'drop' } });
    const dropped = await client.getUser(userId);
    expect(failureOf(dropped)).toMatchObject({
      code: 'WebExceptionProtocolError',
      transient: true,
    });
    expect(dropped.attempts[0]?.response).toBeUndefined();

    proxy.inject({ path: '/Users', fault: { kind: 'drop-mid-body' } });
    const cut = await client.findUsers('userName eq "x"');
    expect(failureOf(cut).code).toBe('WebExceptionProtocolError');
    expect(cut.attempts[0]?.response?.status).toBe(200);
  });

  it('classifies a refused connection as WebExceptionProtocolError', async () => {
    const port = await closedPort();
    const nowhere = scimClientFor({
      baseUrl: `http://127.0.0.1:${port}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
      timeoutMs: TIMEOUT_MS,
    });
    try {
      const result = await nowhere.getUser('x');
      expect(failureOf(result)).toMatchObject({
        code: 'WebExceptionProtocolError',
        transient: true,
      });
      expect(failureOf(result).reason).toMatch(/ECONNREFUSED/);
    } finally {
      await nowhere.close();
    }
  });

  it('cuts an endless body at the size limit and keeps its start as evidence', async () => {
    proxy.inject({ path: '/Users', fault: { kind: 'endless' } });
    const started = Date.now();
    const result = await client.findUsers('userName eq "x"');
    expect(failureOf(result)).toMatchObject({ code: 'ResponseTooLarge', transient: false });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    const body = result.attempts[0]?.response?.body as { truncated: boolean; text: string };
    expect(body.truncated).toBe(true);
    expect(body.text.length).toBeLessThanOrEqual(4096);
    expect(body.text.startsWith('{"schemas"')).toBe(true);
  });

  it('does not follow a redirect, and says where it pointed', async () => {
    proxy.inject({
      path: '/Users/',
      fault: {
        kind: 'respond',
        status: 302,
        headers: { location: `${server.baseUrl}/Users/${userId}` },
      },
    });
    const before = (await server.requests()).length;
    const result = await client.getUser(userId);
    expect(failureOf(result)).toMatchObject({ code: 'RedirectNotFollowed', transient: false });
    expect(failureOf(result).reason).toContain(server.baseUrl);
    expect(result.attempts[0]?.response?.headers.location).toBe(
      `${server.baseUrl}/Users/${userId}`,
    );
    expect(proxy.seen).toHaveLength(1);
    // Neither the proxy nor the server saw a second request: the redirect was not followed.
    expect((await server.requests()).slice(before)).toEqual([]);
  });

  it('classifies a 200 that is not JSON, with the text kept and secrets in it redacted', async () => {
    proxy.inject({
      path: '/Users/',
      fault: {
        kind: 'respond',
        status: 200,
        body: '<html><body>Please log in. password=hunter2</body></html>',
      },
    });
    const result = await client.getUser(userId);
    expect(failureOf(result)).toMatchObject({ code: 'InvalidResponseBody', transient: false });
    const body = result.attempts[0]?.response?.body;
    expect(body).toContain('Please log in');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('classifies a 200 whose body is a SCIM error', async () => {
    proxy.inject({
      path: '/Users/',
      fault: {
        kind: 'respond',
        status: 200,
        body: { schemas: [ERROR_SCHEMA], status: '500', detail: 'database unavailable' },
      },
    });
    const result = await client.getUser(userId);
    expect(failureOf(result)).toMatchObject({ code: 'InvalidResponseBody' });
    expect(failureOf(result).reason).toContain('database unavailable');
  });

  it('classifies a resource of the wrong schema, and records the outcome on the attempt', async () => {
    proxy.inject({
      path: '/Users/',
      fault: {
        kind: 'respond',
        status: 200,
        body: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          id: userId,
          displayName: 'not a user',
        },
      },
    });
    const result = await client.getUser(userId);
    const failure = failureOf(result);
    expect(failure.code).toBe('SystemForCrossDomainIdentityManagementServiceIncompatible');
    expect(result.attempts[0]?.outcome).toEqual(failure);
  });

  it('refuses to pick a match from a target that ignored the filter', async () => {
    const stray = (id: string, userName: string) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id,
      userName,
    });
    proxy.inject({
      path: '/Users?',
      fault: {
        kind: 'respond',
        status: 200,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: 2,
          Resources: [stray('1', 'a@example.com'), stray('2', 'b@example.com')],
        },
      },
    });
    const result = await client.matchUser('userName', 'c@example.com');
    expect(failureOf(result).code).toBe(
      'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
    );
  });

  it('holds every request of the system for the Retry-After a 429 asked for (bounded)', async () => {
    const held = scimClientFor({
      baseUrl: `${proxy.origin}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
      timeoutMs: 2_000,
      maxThrottleHoldMs: 400,
    });
    try {
      proxy.inject({
        path: '/Users/',
        fault: { kind: 'respond', status: 429, headers: { 'retry-after': '30' } },
      });
      expect(failureOf(await held.getUser(userId)).retryAfterMs).toBe(30_000);
      const started = Date.now();
      expect((await held.getUser(userId)).ok).toBe(true);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(350);
      expect(waited).toBeLessThan(2_000);
    } finally {
      await held.close();
    }
  });

  it('keeps at most maxConcurrency requests in flight to one system', async () => {
    const narrow = scimClientFor({
      baseUrl: `${proxy.origin}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
      maxConcurrency: 2,
      timeoutMs: 5_000,
    });
    try {
      proxy.inject({ path: '/Users/', times: 6, fault: { kind: 'delay', ms: 150 } });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 6 }, () => narrow.getUser(userId)));
      const elapsed = Date.now() - started;
      expect(results.every((r) => r.ok)).toBe(true);
      // Three waves of two: at least 3 × 150 ms; six at once would take about 150 ms.
      expect(elapsed).toBeGreaterThanOrEqual(440);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await narrow.close();
    }
  });

  it('assumes PUT-only capabilities for a target without /ServiceProviderConfig', async () => {
    const fresh = scimClientFor({
      baseUrl: `${proxy.origin}/scim/v2`,
      auth: { type: 'bearer', token: TOKEN },
    });
    try {
      proxy.inject({
        path: '/ServiceProviderConfig',
        fault: { kind: 'respond', status: 404, body: { schemas: [ERROR_SCHEMA], status: '404' } },
      });
      const caps = await fresh.discover();
      expect(valueOf(caps)).toMatchObject({ patch: false, source: 'assumed' });
      const patched = await fresh.patchUser(userId, [{ path: 'displayName', value: 'Via PUT' }]);
      expect(patched.attempts.map((a) => a.request.method)).toEqual(['GET', 'PUT']);
      expect(valueOf(patched)?.displayName).toBe('Via PUT');
    } finally {
      await fresh.close();
    }
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
