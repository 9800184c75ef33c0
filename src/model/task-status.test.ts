import { describe, expect, it } from 'vitest';
import { deriveTaskStatus, describeFailures, describeTask } from './task-status.ts';
import type { TaskCounts } from './task.ts';

const counts = (c: Partial<TaskCounts>): TaskCounts => ({
  processed: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  disabled: 0,
  skipped: 0,
  failed: 0,
  resolved: 0,
  pending: 0,
  failedByType: {},
  ...c,
});
const ended = '2026-11-20T12:00:00Z';

describe('task status', () => {
  it('is initial when the task could not start, running until it ends', () => {
    expect(deriveTaskStatus({ initial: true, endedAt: null, counts: counts({}) })).toBe('initial');
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: null,
        counts: counts({ failed: 3, processed: 3 }),
      }),
    ).toBe('running');
  });
  it('succeeds with no unresolved failure; skips are not failures', () => {
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        counts: counts({ processed: 5, skipped: 5 }),
      }),
    ).toBe('succeeded');
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        counts: counts({ processed: 2, created: 1, resolved: 1 }),
      }),
    ).toBe('succeeded');
  });
  it('fails when every entry failed, partially succeeds when some did', () => {
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        counts: counts({ processed: 2, failed: 2 }),
      }),
    ).toBe('failed');
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        counts: counts({ processed: 3, failed: 2, created: 1 }),
      }),
    ).toBe('partially_succeeded');
  });
  it('fails on a task-level error unless some entries got through', () => {
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        errorCode: 'CsvUnreadable',
        counts: counts({}),
      }),
    ).toBe('failed');
    expect(
      deriveTaskStatus({
        initial: false,
        endedAt: ended,
        errorCode: 'LdapTimeout',
        counts: counts({ processed: 4, created: 4 }),
      }),
    ).toBe('partially_succeeded');
  });
  it('describes failures by object type, most first, singular and plural', () => {
    expect(describeFailures({ organization: 1, account: 3 })).toBe(
      '3 accounts and 1 organization failed',
    );
    expect(describeFailures({ user: 1 })).toBe('1 user failed');
    expect(describeFailures({ user: 2, group: 2, role: 1 })).toBe(
      '2 users, 2 groups and 1 role failed',
    );
    expect(describeFailures({})).toBe('');
  });
  it('describes each status in words', () => {
    const c = counts({ processed: 10, created: 4, updated: 3, skipped: 3 });
    expect(describeTask('succeeded', { initial: false, endedAt: ended, counts: c })).toBe(
      '10 processed: 4 created, 3 updated, 3 skipped',
    );
    expect(
      describeTask('initial', { initial: true, endedAt: null, reason: 'bind refused', counts: c }),
    ).toBe('Could not start: bind refused');
    expect(
      describeTask('failed', {
        initial: false,
        endedAt: ended,
        errorCode: 'CsvUnreadable',
        reason: 'users.csv is not UTF-8',
        counts: counts({}),
      }),
    ).toBe('users.csv is not UTF-8');
  });
});
