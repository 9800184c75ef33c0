import { describe, expect, it } from 'vitest';
import { diffAttributes, sameValue } from './diff.ts';

describe('diffAttributes', () => {
  it('lists changed, added and removed attributes in name order', () => {
    const changes = diffAttributes(
      { title: 'Engineer', department: 'Sales', givenName: 'Ada' },
      { title: 'Lead', givenName: 'Ada', displayName: 'Ada L' },
    );
    expect(changes).toEqual([
      { name: 'department', oldValue: 'Sales', newValue: null },
      { name: 'displayName', oldValue: null, newValue: 'Ada L' },
      { name: 'title', oldValue: 'Engineer', newValue: 'Lead' },
    ]);
  });

  it('finds nothing between equal records, whatever their key order', () => {
    const a = { userName: 'ada', active: true, emails: ['a@x', 'b@x'], attributes: { cc: '42' } };
    const b = { attributes: { cc: '42' }, emails: ['a@x', 'b@x'], active: true, userName: 'ada' };
    expect(diffAttributes(a, b)).toEqual([]);
  });

  it('compares arrays and objects by content and tells values of other types apart', () => {
    expect(diffAttributes({ emails: ['a@x'] }, { emails: ['a@x', 'b@x'] })).toEqual([
      { name: 'emails', oldValue: ['a@x'], newValue: ['a@x', 'b@x'] },
    ]);
    expect(diffAttributes({ active: true }, { active: 'true' })).toEqual([
      { name: 'active', oldValue: true, newValue: 'true' },
    ]);
    // Absent, undefined and null are the same: no value.
    expect(diffAttributes({ title: undefined, department: null }, {})).toEqual([]);
  });

  it('compares extension attributes one by one', () => {
    const changes = diffAttributes(
      { attributes: { costCenter: '42', site: 'Lyon' } },
      { attributes: { costCenter: '43', site: 'Lyon', floor: '3' } },
    );
    expect(changes).toEqual([
      { name: 'attributes.costCenter', oldValue: '42', newValue: '43' },
      { name: 'attributes.floor', oldValue: null, newValue: '3' },
    ]);
    expect(diffAttributes({ attributes: { site: 'Lyon' } }, {})).toEqual([
      { name: 'attributes.site', oldValue: 'Lyon', newValue: null },
    ]);
  });

  it('tells values apart as sameValue does: plain ones by identity, the rest by content', () => {
    expect(sameValue('Sales', 'Sales')).toBe(true);
    expect(sameValue('true', true)).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
    expect(sameValue(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameValue({ cc: '42' }, { cc: '43' })).toBe(false);
    expect(sameValue({ cc: '42' }, null)).toBe(false);
  });
});
