import { describe, expect, it } from 'vitest';
import { applyPatchLocally, memberPatch, patchFromChanges } from './patch-ops.ts';
import { USER_SCHEMA } from './scim-schemas.ts';

describe('patchFromChanges', () => {
  it('replaces new values and removes lost ones', () => {
    const patch = patchFromChanges([
      { path: 'displayName', value: 'A' },
      { path: 'title', value: null },
      { path: 'emails[type eq "work"].value', value: 'a@example.com' },
      { path: 'phoneNumbers', value: [] },
    ]);
    expect(patch).toEqual({
      ok: true,
      value: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'A' },
          { op: 'remove', path: 'title' },
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@example.com' },
          { op: 'remove', path: 'phoneNumbers' },
        ],
      },
    });
  });

  it('refuses paths that are not SCIM paths', () => {
    const patch = patchFromChanges([{ path: 'emails[type eq ].value', value: 'x' }]);
    expect(patch.ok).toBe(false);
  });
});

describe('memberPatch', () => {
  it('adds members in one operation and removes each by a value filter', () => {
    expect(memberPatch(['a', 'b'], ['c"d']).Operations).toEqual([
      { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
      { op: 'remove', path: 'members[value eq "c\\"d"]' },
    ]);
  });
});

describe('applyPatchLocally', () => {
  it('applies a PatchOp to a resource read back, without its meta', () => {
    const user = {
      id: '1',
      schemas: [USER_SCHEMA],
      meta: { resourceType: 'User', version: 'W/"1"' },
      userName: 'a',
      emails: [{ type: 'work', value: 'old@example.com' }],
      title: 'T',
    };
    const patch = patchFromChanges([
      { path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { path: 'title', value: null },
      { path: 'name.givenName', value: 'A' },
    ]);
    if (!patch.ok) throw new Error(patch.reason);
    const result = applyPatchLocally(user, patch.value);
    expect(result).toEqual({
      ok: true,
      value: {
        id: '1',
        schemas: [USER_SCHEMA],
        userName: 'a',
        emails: [{ type: 'work', value: 'new@example.com' }],
        name: { givenName: 'A' },
      },
    });
    expect(user.title).toBe('T');
  });

  it('treats the removal of something already absent as done', () => {
    const user = {
      id: '1',
      schemas: [USER_SCHEMA],
      userName: 'a',
      emails: [{ type: 'work', value: 'w' }],
    };
    const patch = patchFromChanges([
      { path: 'emails[type eq "home"].value', value: null },
      { path: 'nickName', value: null },
    ]);
    if (!patch.ok) throw new Error(patch.reason);
    expect(applyPatchLocally(user, patch.value)).toEqual({ ok: true, value: user });
  });
});
