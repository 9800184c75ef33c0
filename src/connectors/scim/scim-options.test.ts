import { describe, expect, it } from 'vitest';
import { parseScimOptions } from './scim-options.ts';

describe('parseScimOptions', () => {
  it('fills defaults and trims the base URL', () => {
    const parsed = parseScimOptions({
      baseUrl: 'https://app.example.com/scim/v2/',
      auth: { type: 'bearer', token: 't' },
      secretAttributes: ['BadgeCode'],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.options).toMatchObject({
      baseUrl: 'https://app.example.com/scim/v2',
      timeoutMs: 30_000,
      maxConcurrency: 4,
      ratePerSecond: 20,
      burst: 20,
    });
    expect(parsed.options.secretNames.has('badgecode')).toBe(true);
  });

  it.each([
    [{ baseUrl: 'ftp://x/scim', auth: { type: 'bearer', token: 't' } }, 'http or https'],
    [{ baseUrl: 'https://u:p@x/scim', auth: { type: 'bearer', token: 't' } }, 'credentials'],
    [{ baseUrl: 'https://x/scim?a=1', auth: { type: 'bearer', token: 't' } }, 'query'],
    [{ baseUrl: 'https://x/scim', auth: { type: 'bearer', token: 't\r\nX-Evil: 1' } }, '/auth'],
    [{ baseUrl: 'https://x/scim', auth: { type: 'digest' } }, '/auth'],
    [{ baseUrl: 'https://x/scim', auth: { type: 'bearer', token: 't' }, retries: 3 }, '/retries'],
    [
      {
        baseUrl: 'https://x/scim',
        auth: { type: 'oauth2', tokenUrl: 'nope', clientId: 'c', clientSecret: 's' },
      },
      '/auth/tokenUrl',
    ],
  ])('refuses %j', (input, message) => {
    const parsed = parseScimOptions(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.errors.join('\n')).toContain(message);
  });
});
