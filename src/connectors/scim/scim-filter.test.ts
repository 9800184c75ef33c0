import { describe, expect, it } from 'vitest';
import { equalityFilter, isAttributePath } from './scim-filter.ts';

describe('equalityFilter', () => {
  it('writes the value as a JSON string, quotes and backslashes escaped', () => {
    expect(equalityFilter('userName', 'alice@example.com')).toBe('userName eq "alice@example.com"');
    expect(equalityFilter('userName', 'o"brien\\x')).toBe('userName eq "o\\"brien\\\\x"');
    expect(equalityFilter('active', true)).toBe('active eq true');
    expect(equalityFilter('externalId', '\u0001')).toBe('externalId eq "\\u0001"');
  });

  it('takes sub-attributes and URN-qualified attributes, and nothing that could inject', () => {
    expect(equalityFilter('name.familyName', 'X')).toBe('name.familyName eq "X"');
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber';
    expect(equalityFilter(urn, '7')).toBe(`${urn} eq "7"`);
    for (const bad of [
      '',
      'userName or 1',
      'userName eq "x" or userName',
      'a.b.c',
      'emails[type eq "w"]',
    ])
      expect(isAttributePath(bad), bad).toBe(false);
    expect(() => equalityFilter('userName pr or userName', 'x')).toThrow(RangeError);
  });
});
