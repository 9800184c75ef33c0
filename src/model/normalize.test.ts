import { describe, expect, it } from 'vitest';
import type { EntryInput } from './entry.ts';
import { normalizeEntry } from './normalize.ts';
import { REDACTED } from './redact.ts';

const input = (over: Partial<EntryInput> = {}): EntryInput => ({
  changeId: 'chg-1',
  time: '2026-11-20T10:00:00Z',
  direction: 'outbound',
  objectType: 'user',
  action: 'update',
  status: 'success',
  targetIdentity: { id: 'u-1' },
  ...over,
});

const failure = (errorCode: string, over: Partial<EntryInput> = {}) =>
  normalizeEntry(input({ status: 'failure', errorCode, ...over }));

describe('normalizeEntry: defaults', () => {
  it('uses the changeId as operationId when none is given', () => {
    expect(normalizeEntry(input()).operationId).toBe('chg-1');
    expect(normalizeEntry(input({ operationId: 'op-7' })).operationId).toBe('op-7');
  });

  it('sets taskId to null for a single change, keeps a given one', () => {
    expect(normalizeEntry(input()).taskId).toBeNull();
    expect(normalizeEntry(input({ taskId: null })).taskId).toBeNull();
    expect(normalizeEntry(input({ taskId: 'task-1' })).taskId).toBe('task-1');
  });

  it('defaults triggerMethod to automatic, keeps manual', () => {
    expect(normalizeEntry(input()).triggerMethod).toBe('automatic');
    expect(normalizeEntry(input({ triggerMethod: 'manual' })).triggerMethod).toBe('manual');
  });
});

describe('normalizeEntry: times', () => {
  it('writes time as UTC ISO 8601 with milliseconds', () => {
    expect(normalizeEntry(input({ time: '2026-11-20T10:00:00+02:00' })).time).toBe(
      '2026-11-20T08:00:00.000Z',
    );
    expect(normalizeEntry(input({ time: '2026-11-20T10:00Z' })).time).toBe(
      '2026-11-20T10:00:00.000Z',
    );
    expect(normalizeEntry(input({ time: '2026-11-20T23:30:00.5-01:00' })).time).toBe(
      '2026-11-21T00:30:00.500Z',
    );
  });

  it('writes retryAt as UTC ISO 8601 with milliseconds', () => {
    const entry = failure('Timeout', { retryAt: '2026-11-20T12:15:00+01:00' });
    expect(entry.retryAt).toBe('2026-11-20T11:15:00.000Z');
  });
});

describe('normalizeEntry: error codes', () => {
  it('makes an alias canonical, case-insensitively', () => {
    expect(failure('Conflict').errorCode).toBe('EntryConflict');
    expect(failure('conflict').errorCode).toBe('EntryConflict');
    expect(failure('CONFLICT').errorCode).toBe('EntryConflict');
    expect(failure('entryconflict').errorCode).toBe('EntryConflict');
  });

  it('fills errorCategory from the catalog', () => {
    expect(failure('TooManyRequests').errorCategory).toBe('transient');
    expect(failure('Conflict').errorCategory).toBe('permanent');
  });

  it('keeps an explicit errorCategory over the catalog', () => {
    expect(failure('TooManyRequests', { errorCategory: 'permanent' }).errorCategory).toBe(
      'permanent',
    );
  });

  it('keeps an unknown code as given, with the category the engine stated', () => {
    const entry = failure('acmeQuotaExceeded', { errorCategory: 'transient' });
    expect(entry.errorCode).toBe('acmeQuotaExceeded');
    expect(entry.errorCategory).toBe('transient');
  });

  it('adds no error fields to an entry without an error', () => {
    const entry = normalizeEntry(input());
    expect(entry.errorCode).toBeUndefined();
    expect(entry.errorCategory).toBeUndefined();
  });
});

describe('normalizeEntry: redaction', () => {
  it.each(['password', 'userPassword', 'unicodePwd', 'clientSecret', 'apiKey'])(
    'redacts the values of the modified property %s',
    (name) => {
      const entry = normalizeEntry(
        input({ modifiedProperties: [{ name, oldValue: 'old-secret', newValue: 'new-secret' }] }),
      );
      expect(entry.modifiedProperties).toEqual([{ name, oldValue: REDACTED, newValue: REDACTED }]);
    },
  );

  it('keeps a null or absent secret value as it was, so "set" and "cleared" stay visible', () => {
    const entry = normalizeEntry(
      input({
        modifiedProperties: [
          { name: 'password', oldValue: null, newValue: 'new-secret' },
          { name: 'userPassword', newValue: null },
        ],
      }),
    );
    expect(entry.modifiedProperties).toEqual([
      { name: 'password', oldValue: null, newValue: REDACTED },
      { name: 'userPassword', oldValue: undefined, newValue: null },
    ]);
  });

  it('leaves other modified properties untouched', () => {
    const props = [
      { name: 'displayName', oldValue: 'Alice', newValue: 'Alice Martin' },
      { name: 'userName', oldValue: null, newValue: 'alice' },
      { name: 'tokenGroups', oldValue: 'a', newValue: 'b' },
    ];
    expect(normalizeEntry(input({ modifiedProperties: props })).modifiedProperties).toEqual(props);
  });

  it('redacts secret request headers and keeps the others', () => {
    const entry = normalizeEntry(
      input({
        request: {
          method: 'PATCH',
          headers: {
            Authorization: 'Bearer abc',
            Cookie: 'sid=1',
            'X-Api-Key': 'k',
            Accept: 'application/scim+json',
          },
        },
      }),
    );
    expect(entry.request?.headers).toEqual({
      Authorization: REDACTED,
      Cookie: REDACTED,
      'X-Api-Key': REDACTED,
      Accept: 'application/scim+json',
    });
    expect(entry.request?.method).toBe('PATCH');
  });

  it('redacts secret response headers', () => {
    const entry = normalizeEntry(
      input({ response: { status: 200, headers: { 'Set-Cookie': 'sid=2', 'Content-Type': 'x' } } }),
    );
    expect(entry.response).toEqual({
      status: 200,
      headers: { 'Set-Cookie': REDACTED, 'Content-Type': 'x' },
    });
  });

  it('redacts secrets in the request URL and keeps the rest of it', () => {
    const url = normalizeEntry(
      input({ request: { url: 'https://app.example/scim/v2/Users?access_token=abc&count=10' } }),
    ).request?.url;
    expect(url).not.toContain('abc');
    const parsed = new URL(url ?? '');
    expect(parsed.searchParams.get('access_token')).toBe(REDACTED);
    expect(parsed.searchParams.get('count')).toBe('10');
    expect(parsed.pathname).toBe('/scim/v2/Users');
  });

  it('redacts request and response bodies deeply', () => {
    const entry = normalizeEntry(
      input({
        request: {
          body: {
            userName: 'alice',
            Operations: [
              { op: 'replace', path: 'password', value: 'p1' },
              { op: 'add', value: { password: 'p2', displayName: 'Alice' } },
            ],
          },
        },
        response: {
          status: 201,
          body: { id: 'u-1', settings: { clientSecret: 's' }, credentials: { kind: 'x' } },
        },
      }),
    );
    expect(entry.request?.body).toEqual({
      userName: 'alice',
      Operations: [
        { op: 'replace', path: 'password', value: REDACTED },
        { op: 'add', value: { password: REDACTED, displayName: 'Alice' } },
      ],
    });
    // A key naming secrets (credentials) is redacted whole; a nested secret key is found deep down.
    expect(entry.response?.body).toEqual({
      id: 'u-1',
      settings: { clientSecret: REDACTED },
      credentials: REDACTED,
    });
  });

  it('uses the extra secret names a connector supplies', () => {
    const entry = normalizeEntry(
      input({
        modifiedProperties: [{ name: 'employeeBadge', newValue: '1234' }],
        request: { body: { employeeBadge: '1234' } },
      }),
      new Set(['employeebadge']),
    );
    expect(entry.modifiedProperties?.[0]?.newValue).toBe(REDACTED);
    expect(entry.request?.body).toEqual({ employeeBadge: REDACTED });
  });

  it('does not mutate its input', () => {
    const original = input({
      time: '2026-11-20T10:00:00+02:00',
      status: 'failure',
      errorCode: 'conflict',
      modifiedProperties: [{ name: 'password', oldValue: 'a', newValue: 'b' }],
      request: {
        url: 'https://u:pw@app.example/x?password=p',
        headers: { Authorization: 'Bearer t' },
        body: { password: 'p', nested: [{ apiKey: 'k' }] },
      },
      response: { headers: { Cookie: 'c' }, body: { token: 't' } },
    });
    const snapshot = structuredClone(original);
    normalizeEntry(original);
    expect(original).toEqual(snapshot);
  });
});
