import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../model/enums.ts';
import type { FieldError } from '../model/validation-error.ts';
import { FilterError, type RawQuery } from './entry-filter.ts';
import { parseTaskFilter } from './task-filter.ts';

const now = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

const parse = (query: RawQuery) => parseTaskFilter(query, { now });

function errorsOf(query: RawQuery): FieldError[] {
  try {
    parse(query);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterError);
    return (err as FilterError).errors;
  }
  throw new Error('expected a FilterError');
}

describe('parseTaskFilter', () => {
  it.each(['initial', 'running', 'succeeded', 'partially_succeeded', 'failed'])(
    'accepts the status %s',
    (status) => {
      expect(parse({ status })).toEqual({ status: [status] });
    },
  );

  it('accepts every task status in one list', () => {
    expect(parse({ status: TASK_STATUSES.join(',') }).status).toEqual([...TASK_STATUSES]);
  });

  it('refuses an unknown status, naming the value and the allowed ones', () => {
    expect(errorsOf({ status: 'succeeded,success' })).toEqual([
      {
        field: 'status',
        message:
          'unknown value "success"; expected one of initial, running, succeeded, partially_succeeded, failed',
      },
    ]);
  });

  it('refuses entry statuses and entry-only filters', () => {
    expect(errorsOf({ status: 'failure' }).map((e) => e.field)).toEqual(['status']);
    expect(errorsOf({ action: 'create', objectType: 'user' })).toEqual([
      { field: 'action', message: 'is not a known filter' },
      { field: 'objectType', message: 'is not a known filter' },
    ]);
  });

  it('accepts the extra names the caller allows', () => {
    expect(
      parseTaskFilter({ limit: '5', cursor: 'x' }, { now, allowed: ['limit', 'cursor'] }),
    ).toEqual({});
  });

  it('splits, trims, de-duplicates and joins direction, triggerModule and jobId', () => {
    expect(
      parse({
        direction: ['inbound', ' outbound,inbound'],
        triggerModule: 'application',
        jobId: 'j1, j2,j1',
      }),
    ).toEqual({
      direction: ['inbound', 'outbound'],
      triggerModule: ['application'],
      jobId: ['j1', 'j2'],
    });
  });

  it('refuses more than 100 job ids', () => {
    const jobId = Array.from({ length: 101 }, (_, i) => `job-${i}`).join(',');
    expect(errorsOf({ jobId }).map((e) => e.field)).toEqual(['jobId']);
  });

  it('reads the time range like the entry filter', () => {
    expect(parse({ window: '7d' })).toEqual({ from: now - 7 * DAY });
    expect(parse({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' })).toEqual({
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: Date.parse('2026-11-02T00:00:00Z'),
    });
  });

  it('collects every error into one FilterError', () => {
    expect(
      errorsOf({ status: 'done', direction: 'up', window: '0d', q: 'x' })
        .map((e) => e.field)
        .sort(),
    ).toEqual(['direction', 'q', 'status', 'window']);
  });
});
