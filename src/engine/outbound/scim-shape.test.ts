import { describe, expect, it } from 'vitest';
import { buildResource, differences, valueAt } from './scim-shape.ts';

describe('SCIM shape', () => {
  const mapped = {
    userName: 'ada@example.com',
    'name.givenName': 'Ada',
    'emails[type eq "work"].value': 'ada@example.com',
    active: 'true',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': '42',
  };

  it('builds nested, filtered and extension attributes, with booleans typed', () => {
    expect(buildResource(mapped)).toEqual({
      userName: 'ada@example.com',
      name: { givenName: 'Ada' },
      emails: [{ type: 'work', value: 'ada@example.com', primary: true }],
      active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '42' },
    });
  });

  it('reads values back and diffs only what differs, removing what the hub lost', () => {
    const current = { ...buildResource(mapped), displayName: 'Ada L.' };
    for (const path of Object.keys(mapped))
      expect(valueAt(current, path)).toBe(mapped[path as keyof typeof mapped]);
    expect(differences(current, mapped, [...Object.keys(mapped), 'displayName'])).toEqual([
      {
        change: { path: 'displayName', value: null },
        oldValue: 'Ada L.',
        newValue: null,
      },
    ]);
    const next = { ...mapped, active: 'false', 'name.givenName': 'Augusta' };
    expect(differences(current, next, Object.keys(next)).map((d) => d.change)).toEqual([
      { path: 'name.givenName', value: 'Augusta' },
      { path: 'active', value: false },
    ]);
  });

  it('adds a missing element of a multi-valued attribute by replacing the list with it appended', () => {
    const current = { userName: 'ada@example.com', emails: [{ type: 'home', value: 'a@home' }] };
    const want = { userName: 'ada@example.com', 'emails[type eq "work"].value': 'ada@work' };
    expect(differences(current, want, Object.keys(want)).map((d) => d.change)).toEqual([
      {
        path: 'emails',
        value: [
          { type: 'home', value: 'a@home' },
          { type: 'work', value: 'ada@work', primary: true },
        ],
      },
    ]);
  });
});
