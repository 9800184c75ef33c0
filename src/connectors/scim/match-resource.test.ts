import { describe, expect, it } from 'vitest';
import { pickMatches } from './match-resource.ts';
import type { ScimListPage, ScimResource } from './scim-schemas.ts';

const page = (
  resources: Array<Record<string, unknown> & { id: string }>,
  totalResults?: number,
): ScimListPage => ({
  totalResults: totalResults ?? resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  resources: resources.map((r) => ({ schemas: [], ...r }) as ScimResource),
});

describe('pickMatches', () => {
  it('gives each value its one resource or null, case-insensitively, and leaves duplicates out', () => {
    const r = pickMatches(
      page([
        { id: '1', userName: 'Ada@X.com' },
        { id: '2', userName: 'bob@x.com' },
        { id: '3', userName: 'BOB@x.com' },
      ]),
      'userName',
      ['ada@x.com', 'bob@x.com', 'cyd@x.com'],
      [],
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.get('ada@x.com')).toMatchObject({ id: '1' });
    expect(r.value.get('cyd@x.com')).toBeNull();
    expect(r.value.has('bob@x.com')).toBe(false);
  });

  it('refuses an answer cut short or holding a resource with none of the values', () => {
    const short = pickMatches(page([{ id: '1', userName: 'a' }], 3), 'userName', ['a', 'b'], []);
    expect(short.ok ? 'ok' : short.failure.code).toBe('ScimTooMany');
    const stray = pickMatches(page([{ id: '9', userName: 'zed' }]), 'userName', ['a'], []);
    expect(stray.ok ? 'ok' : stray.failure.code).toBe(
      'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
    );
  });
});
