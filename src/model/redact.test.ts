import { describe, expect, it } from 'vitest';
import { isSecretName, redactHeaders, redactUrl, redactValue, REDACTED } from './redact.ts';

describe('isSecretName', () => {
  it.each([
    'password',
    'Password',
    'userPassword',
    'unicodePwd',
    'passwd',
    'passphrase',
    'clientSecret',
    'client_secret',
    'apiKey',
    'api_key',
    'X-Api-Key',
    'access_token',
    'refreshToken',
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'Set-Cookie',
    'privateKey',
    'passwordProfile',
    'secretQuestion',
    'urn:ietf:params:scim:schemas:core:2.0:User:password',
  ])('treats %s as a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'displayName',
    'userName',
    'tokenGroups',
    'mail',
    'id',
    'name.givenName',
    'emails[type eq "work"].value',
    'keyId',
  ])('does not treat %s as a secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it('treats the extra names a connector supplies as secrets, by lower-cased name', () => {
    expect(isSecretName('employeeBadge')).toBe(false);
    expect(isSecretName('employeeBadge', new Set(['employeebadge']))).toBe(true);
    expect(isSecretName('urn:acme:2.0:User:employeeBadge', new Set(['employeebadge']))).toBe(true);
  });
});

describe('redactValue', () => {
  it('redacts secret-named keys at every depth, in objects and arrays', () => {
    const value = {
      userName: 'alice',
      password: 'p0',
      profile: {
        displayName: 'Alice',
        integrations: [{ apiKey: 'k1' }, { clientSecret: 's1', scope: 'read' }],
      },
      list: [[{ token: 't' }]],
    };
    expect(redactValue(value)).toEqual({
      userName: 'alice',
      password: REDACTED,
      profile: {
        displayName: 'Alice',
        integrations: [{ apiKey: REDACTED }, { clientSecret: REDACTED, scope: 'read' }],
      },
      list: [[{ token: REDACTED }]],
    });
  });

  it('redacts a whole object or array held under a secret name', () => {
    expect(redactValue({ passwordProfile: { password: 'p', forceChange: true } })).toEqual({
      passwordProfile: REDACTED,
    });
    expect(redactValue({ clientSecret: ['s1', 's2'] })).toEqual({ clientSecret: REDACTED });
  });

  it('redacts values held under plural names that start with a secret word', () => {
    expect(redactValue({ passwords: ['p1'], clientSecrets: ['s1'], secrets: ['s2'] })).toEqual({
      passwords: REDACTED,
      clientSecrets: REDACTED,
      secrets: REDACTED,
    });
  });

  // Fails today: SECRET_NAME is anchored at the end (`…key$`, `…token$`), so the plurals
  // `apiKeys` and `accessTokens` are not secret names and their values are logged in clear.
  it('redacts values held under plural secret names that end in keys or tokens', () => {
    expect(redactValue({ apiKeys: ['k1'], accessTokens: ['t1'] })).toEqual({
      apiKeys: REDACTED,
      accessTokens: REDACTED,
    });
  });

  it('keeps null and undefined secret values as they are', () => {
    expect(redactValue({ password: null, apiKey: undefined })).toEqual({
      password: null,
      apiKey: undefined,
    });
  });

  it('redacts the value of a SCIM PATCH operation whose path names a secret', () => {
    const ops = [
      { op: 'replace', path: 'password', value: 'x' },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'y' },
      { op: 'replace', path: 'displayName', value: 'Alice' },
    ];
    expect(redactValue({ Operations: ops })).toEqual({
      Operations: [
        { op: 'replace', path: 'password', value: REDACTED },
        {
          op: 'replace',
          path: 'urn:ietf:params:scim:schemas:core:2.0:User:password',
          value: REDACTED,
        },
        { op: 'replace', path: 'displayName', value: 'Alice' },
      ],
    });
  });

  it('redacts secrets inside the value object of a SCIM PATCH add without a path', () => {
    expect(redactValue({ op: 'add', value: { password: 'x', userName: 'alice' } })).toEqual({
      op: 'add',
      value: { password: REDACTED, userName: 'alice' },
    });
  });

  it('returns primitives unchanged', () => {
    for (const v of ['text', 42, true, null, undefined]) expect(redactValue(v)).toBe(v);
  });

  it('returns a copy and leaves its input unchanged', () => {
    const value = { a: { password: 'p' }, b: [{ token: 't' }] };
    const snapshot = structuredClone(value);
    const out = redactValue(value) as typeof value;
    expect(value).toEqual(snapshot);
    expect(out.a).not.toBe(value.a);
    expect(out.b).not.toBe(value.b);
  });

  it('stops at a bounded depth instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = { password: 'p' };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    expect(() => redactValue(deep)).not.toThrow();
  });

  // Fails today: past depth 32 redactValue returns the sub-tree as it is, so a secret nested
  // deeper than that reaches the log. Failing closed (redacting the rest) keeps the invariant.
  it('lets no secret through below its depth limit', () => {
    let deep: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    expect(JSON.stringify(redactValue(deep))).not.toContain('deep-secret');
  });
});

describe('redactUrl', () => {
  it.each(['access_token', 'client_secret', 'password'])(
    'redacts the query parameter %s',
    (name) => {
      const url = redactUrl(`https://app.example/scim/v2/Users?${name}=s3cr3t&count=10`);
      expect(url).not.toContain('s3cr3t');
      expect(new URL(url).searchParams.get(name)).toBe(REDACTED);
      expect(new URL(url).searchParams.get('count')).toBe('10');
    },
  );

  it('redacts the password of URL userinfo and keeps the user name', () => {
    const url = redactUrl('https://svc:hunter2@app.example/scim/v2/Users');
    expect(url).not.toContain('hunter2');
    const parsed = new URL(url);
    expect(parsed.username).toBe('svc');
    expect(decodeURIComponent(parsed.password)).toBe('[REDACTED]');
    expect(parsed.host).toBe('app.example');
    expect(parsed.pathname).toBe('/scim/v2/Users');
  });

  it('returns a URL without secrets exactly as given', () => {
    const url = 'https://app.example/scim/v2/Users?filter=userName%20eq%20%22alice%22&count=10';
    expect(redactUrl(url)).toBe(url);
  });

  // Fails today: rewriting the query through URLSearchParams re-encodes every other parameter
  // (%20 becomes +), so the logged URL is no longer the one that was sent.
  it('keeps the other query parameters as written when it redacts one', () => {
    const url = redactUrl(
      'https://app.example/scim/v2/Users?filter=userName%20eq%20%22alice%22&access_token=abc',
    );
    expect(url).not.toContain('abc');
    expect(url).toContain('filter=userName%20eq%20%22alice%22');
  });

  it('redacts secrets in a relative URL, which URL cannot parse', () => {
    expect(redactUrl('/scim/v2/Users?access_token=abc&count=10')).toBe(
      `/scim/v2/Users?access_token=${REDACTED}&count=10`,
    );
    expect(redactUrl('/oauth?client_secret=s&grant=x#frag')).toBe(
      `/oauth?client_secret=${REDACTED}&grant=x#frag`,
    );
  });
});

describe('redactHeaders', () => {
  it('redacts Authorization, Cookie and X-Api-Key whatever their case, and keeps the others', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer t',
        COOKIE: 'sid=1',
        'x-api-key': 'k',
        'content-type': 'application/json',
      }),
    ).toEqual({
      authorization: REDACTED,
      COOKIE: REDACTED,
      'x-api-key': REDACTED,
      'content-type': 'application/json',
    });
  });
});
