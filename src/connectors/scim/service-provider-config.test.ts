import { describe, expect, it } from 'vitest';
import { parseServiceProviderConfig } from './service-provider-config.ts';

describe('parseServiceProviderConfig', () => {
  it('reads what decides PATCH or PUT, filtering, bulk and etags', () => {
    expect(
      parseServiceProviderConfig({
        patch: { supported: 'true' },
        filter: { supported: true, maxResults: 200 },
        bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
        etag: { supported: false },
      }),
    ).toEqual({
      ok: true,
      value: {
        patch: true,
        filter: { supported: true, maxResults: 200 },
        bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
        etag: false,
        source: 'discovered',
      },
    });
  });

  it('refuses a config that does not say whether PATCH is supported', () => {
    expect(parseServiceProviderConfig({ filter: { supported: true } })).toMatchObject({
      ok: false,
    });
    expect(parseServiceProviderConfig('<html>')).toMatchObject({ ok: false });
  });
});
