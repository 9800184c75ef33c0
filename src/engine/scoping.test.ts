import { describe, expect, it } from 'vitest';
import type { ScopingClause } from '../model/job.ts';
import { evaluateScope } from './scoping.ts';

describe('evaluateScope', () => {
  const active: ScopingClause = { attribute: 'status', operator: 'equals', value: 'Active' };

  it('holds when every clause holds, ignoring case', () => {
    const clauses: ScopingClause[] = [
      active,
      { attribute: 'department', operator: 'in', value: ['sales', 'legal'] },
      { attribute: 'email', operator: 'ends_with', value: '@EXAMPLE.com' },
    ];
    const values = { status: 'active', department: 'Legal', email: 'ada@example.com' };
    expect(evaluateScope(clauses, values)).toEqual({ inScope: true });
    expect(evaluateScope(clauses, { ...values, department: 'Finance' })).toEqual({
      inScope: false,
      reason: 'department "Finance" does not satisfy in ["sales","legal"]',
    });
  });

  it('reads the mapped attributes first, then the source values', () => {
    const clauses: ScopingClause[] = [
      { attribute: 'department', operator: 'equals', value: 'Sales' },
      active,
    ];
    // The mapping turned the source's department code into a name: the mapped value counts.
    const mapped = { department: 'Sales' };
    const source = { department: 'S01', status: 'active' };
    expect(evaluateScope(clauses, mapped, source)).toEqual({ inScope: true });
    expect(evaluateScope(clauses, { department: 'Legal' }, source)).toMatchObject({
      inScope: false,
    });
    expect(evaluateScope([active], {}, { status: 'gone' })).toEqual({
      inScope: false,
      reason: 'status "gone" does not satisfy equals "Active"',
    });
  });

  it('treats a name no record has as absent, even one of Object.prototype', () => {
    const absent: ScopingClause = { attribute: 'constructor', operator: 'absent' };
    expect(evaluateScope([absent], {}, {})).toEqual({ inScope: true });
    expect(
      evaluateScope([{ attribute: 'toString', operator: 'present' }], { a: 'x' }, { b: 'y' }),
    ).toEqual({ inScope: false, reason: 'toString null does not satisfy present' });
  });
});
