import { describe, expect, it } from 'vitest';
import { validateEntry, validateTask } from './validate-ingest.ts';
import type { FieldError } from './validation-error.ts';

const now = Date.parse('2026-11-20T12:00:00Z');

const minimal = {
  changeId: 'chg-1',
  time: '2026-11-20T10:00:00Z',
  direction: 'outbound',
  objectType: 'user',
  action: 'create',
  status: 'success',
  targetIdentity: { id: 'u-1' },
};

const full = {
  ...minimal,
  taskId: 'task-1',
  jobId: 'job-1',
  cycleId: 'cycle-1',
  operationId: 'op-1',
  time: '2026-11-20T10:00:00.123+02:00',
  durationMs: 250,
  triggerModule: 'application',
  triggerModuleName: 'ServiceNow',
  triggerMethod: 'manual',
  source: 're_trigger',
  status: 'failure',
  sourceIdentity: { id: 's-1', displayName: 'Alice Martin', type: 'User' },
  targetIdentity: { id: 't-1', displayName: 'alice', type: 'User' },
  sourceSystem: { id: 'hr', name: 'HR CSV' },
  targetSystem: { id: 'snow', name: 'ServiceNow' },
  errorCode: 'TooManyRequests',
  errorCategory: 'transient',
  reason: 'HTTP 429 from the target',
  retryAt: '2026-11-20T10:05:00Z',
  attempt: 2,
  maxAttempts: 5,
  steps: [
    {
      name: 'import',
      status: 'success',
      description: 'Imported',
      time: '2026-11-20T10:00:00Z',
      details: { rows: 1, ok: true, note: null },
    },
    { name: 'provision', status: 'failure', description: 'Throttled' },
  ],
  modifiedProperties: [{ name: 'mail', oldValue: null, newValue: 'alice@example.com' }],
  permissionChanges: { bound: ['admins'], unbound: [] },
  request: {
    method: 'POST',
    url: 'https://snow.example/scim/Users',
    headers: { accept: 'application/scim+json' },
    body: { userName: 'alice' },
  },
  response: { status: 429, headers: { 'retry-after': '30' }, body: 'slow down' },
  actor: { type: 'user', id: 'admin-1', displayName: 'Admin' },
  approver: { type: 'token', id: 'tok-1' },
};

const err = (field: string, message: string): FieldError => ({ field, message });
const fields = (errors: FieldError[]) => errors.map((e) => e.field);
const errorAt = (errors: FieldError[], field: string) => errors.find((e) => e.field === field);
const check = (over: Record<string, unknown>) => validateEntry({ ...minimal, ...over }, now);

describe('validateEntry: valid entries', () => {
  it('accepts a minimal entry', () => {
    expect(validateEntry(minimal, now)).toEqual([]);
  });

  it('accepts an entry with every optional field', () => {
    expect(validateEntry(full, now)).toEqual([]);
  });
});

describe('validateEntry: schema', () => {
  const required = ['changeId', 'time', 'direction', 'objectType', 'action', 'status'];

  it.each(required)('reports missing %s by name', (name) => {
    const value: Record<string, unknown> = { ...minimal };
    delete value[name];
    expect(validateEntry(value, now)).toEqual([err(`/${name}`, 'is required')]);
  });

  it('reports every missing required field at once', () => {
    expect(fields(validateEntry({}, now))).toEqual(required.map((name) => `/${name}`));
  });

  it.each([
    ['direction', 'sideways', '"inbound", "outbound"'],
    ['status', 'done', '"success", "failure", "skipped", "pending", "committed", "not_verifiable"'],
    ['action', 'provision', '"create", "update"'],
    ['objectType', 'printer', '"user", "group", "organization", "account", "role"'],
  ])('names %s and lists the allowed values for an unknown value', (field, value, allowed) => {
    const error = errorAt(check({ [field]: value }), `/${field}`);
    expect(error?.message).toContain(`must be one of ${allowed}`);
    expect(error?.message).toContain(`got "${value}"`);
  });

  it('names an unknown enum value in a nested object', () => {
    const errors = check({ steps: [{ name: 'deploy', status: 'success' }] });
    expect(errorAt(errors, '/steps/0/name')?.message).toContain(
      '"import", "scoping", "matching", "provision"',
    );
  });

  it('rejects unknown fields, top-level and nested', () => {
    expect(check({ colour: 'blue' })).toContainEqual(err('/colour', 'is not a known field'));
    expect(check({ targetIdentity: { id: 'u-1', mail: 'x' } })).toContainEqual(
      err('/targetIdentity/mail', 'is not a known field'),
    );
  });

  it('rejects a number for changeId and a string for attempt', () => {
    const errors = check({ changeId: 42, attempt: '2' });
    expect(errorAt(errors, '/changeId')?.message).toBe('expected string');
    expect(errorAt(errors, '/attempt')?.message).toBe('expected integer');
  });

  it.each([
    ['an impossible calendar date', '2026-02-31T00:00:00Z'],
    ['a date without a time', '2026-11-20'],
    ['a word', 'yesterday'],
    ['a time without a time zone', '2026-11-20T10:00:00'],
  ])('rejects %s as time', (_label, time) => {
    expect(check({ time })).toEqual([
      err('/time', `must be an ISO 8601 date-time with a time zone, got ${JSON.stringify(time)}`),
    ]);
  });

  it('rejects a time more than 24 hours ahead of now, but tolerates clock skew up to 24 hours', () => {
    expect(check({ time: '2026-11-21T12:00:01Z' })).toEqual([
      err('/time', 'is more than 24 hours in the future'),
    ]);
    expect(check({ time: '2026-11-21T12:00:00Z' })).toEqual([]);
  });

  it('rejects a time before 1970', () => {
    expect(check({ time: '1969-12-31T23:59:59Z' })).toEqual([
      err('/time', 'must not be before 1970'),
    ]);
  });

  it('rejects a reason longer than 8000 characters and accepts exactly 8000', () => {
    expect(fields(check({ reason: 'x'.repeat(8001) }))).toEqual(['/reason']);
    expect(check({ reason: 'x'.repeat(8000) })).toEqual([]);
  });

  it('rejects more than 20 steps', () => {
    const steps = Array.from({ length: 21 }, () => ({ name: 'import', status: 'success' }));
    expect(fields(check({ steps }))).toEqual(['/steps']);
  });

  it('rejects control characters in ids', () => {
    expect(fields(check({ changeId: 'chg\u00001' }))).toEqual(['/changeId']);
    expect(fields(check({ jobId: 'job\n1' }))).toEqual(['/jobId']);
    expect(fields(check({ targetIdentity: { id: 'u\u007f1' } }))).toEqual(['/targetIdentity/id']);
  });

  it('rejects an empty changeId', () => {
    expect(fields(check({ changeId: '' }))).toEqual(['/changeId']);
  });

  it.each([
    ['null', null],
    ['an array', [minimal]],
    ['a string', 'entry'],
  ])('rejects %s as an entry', (_label, value) => {
    expect(validateEntry(value, now)).toEqual([err('/', 'expected object')]);
  });
});

describe('validateEntry: rules across fields', () => {
  it('requires errorCode on a failure', () => {
    expect(check({ status: 'failure' })).toEqual([
      err('/errorCode', 'is required when status is "failure"'),
    ]);
  });

  it('requires skipReason on a skipped entry', () => {
    expect(check({ status: 'skipped' })).toEqual([
      err('/skipReason', 'is required when status is "skipped"'),
    ]);
    expect(check({ status: 'skipped', skipReason: 'no_change' })).toEqual([]);
  });

  it('allows skipReason only on a skipped entry', () => {
    expect(check({ skipReason: 'out_of_scope' })).toEqual([
      err('/skipReason', 'is only allowed when status is "skipped"'),
    ]);
  });

  it('allows retryAt only on a failure', () => {
    expect(check({ retryAt: '2026-11-20T11:00:00Z' })).toEqual([
      err('/retryAt', 'is only allowed when status is "failure"'),
    ]);
    expect(
      check({ status: 'failure', errorCode: 'Timeout', retryAt: '2026-11-20T11:00:00Z' }),
    ).toEqual([]);
  });

  it('rejects an attempt beyond maxAttempts and accepts the last one', () => {
    expect(check({ attempt: 4, maxAttempts: 3 })).toEqual([
      err('/attempt', 'is 4, more than maxAttempts 3'),
    ]);
    expect(check({ attempt: 3, maxAttempts: 3 })).toEqual([]);
  });

  it('requires at least one identity id, in source or target', () => {
    const expected = [
      err('/sourceIdentity/id', 'sourceIdentity.id or targetIdentity.id is required'),
    ];
    expect(check({ targetIdentity: undefined })).toEqual(expected);
    expect(check({ targetIdentity: { displayName: 'Alice' } })).toEqual(expected);
    expect(check({ targetIdentity: undefined, sourceIdentity: { id: 's-1' } })).toEqual([]);
  });

  it('requires errorCategory for an error code outside the catalog', () => {
    expect(check({ status: 'failure', errorCode: 'AcmeQuotaExceeded' })).toEqual([
      err(
        '/errorCategory',
        'is required for "AcmeQuotaExceeded", which is not in the error catalog',
      ),
    ]);
    expect(
      check({ status: 'failure', errorCode: 'AcmeQuotaExceeded', errorCategory: 'permanent' }),
    ).toEqual([]);
  });

  it('does not require errorCategory for catalog codes and aliases in any case', () => {
    for (const errorCode of ['EntryConflict', 'conflict', 'TOOMANYREQUESTS', 'BadGateway']) {
      expect(check({ status: 'failure', errorCode })).toEqual([]);
    }
  });

  it('rejects an error code that is not an identifier', () => {
    expect(fields(check({ status: 'failure', errorCode: '409 Conflict' }))).toEqual(['/errorCode']);
  });
});

const task = {
  id: 'task-1',
  direction: 'inbound',
  triggerModule: 'identity_provider',
  triggerModuleName: 'HR CSV',
  triggerMethod: 'automatic',
  startedAt: '2026-11-20T10:00:00Z',
};
const checkTask = (over: Record<string, unknown>) => validateTask({ ...task, ...over }, now);

describe('validateTask', () => {
  it('accepts a minimal task', () => {
    expect(validateTask(task, now)).toEqual([]);
  });

  it('accepts a task that could not start, stated as initial', () => {
    expect(
      checkTask({
        status: 'initial',
        errorCode: 'CsvUnreadable',
        endedAt: null,
        parentTaskId: null,
      }),
    ).toEqual([]);
  });

  it.each(['running', 'succeeded', 'failed'])(
    'refuses the derived status %s, naming the field',
    (status) => {
      expect(fields(checkTask({ status }))).toEqual(['/status']);
    },
  );

  it('refuses an end before the start and accepts an end equal to it', () => {
    expect(checkTask({ endedAt: '2026-11-20T09:59:59Z' })).toEqual([
      err('/endedAt', 'is before startedAt'),
    ]);
    expect(checkTask({ endedAt: '2026-11-20T10:00:00Z' })).toEqual([]);
  });

  it('compares start and end as instants, across time zones', () => {
    expect(checkTask({ endedAt: '2026-11-20T10:30:00+02:00' })).toEqual([
      err('/endedAt', 'is before startedAt'),
    ]);
    expect(checkTask({ endedAt: '2026-11-20T09:30:00-01:00' })).toEqual([]);
  });

  it('refuses a task that is its own parent', () => {
    expect(checkTask({ parentTaskId: 'task-1' })).toEqual([
      err('/parentTaskId', 'must not be the task itself'),
    ]);
    expect(checkTask({ parentTaskId: 'task-0' })).toEqual([]);
  });

  it('refuses an event that is not a lower-case snake_case name', () => {
    expect(checkTask({ event: 'user_csv_processed' })).toEqual([]);
    for (const event of ['User CSV processed', '1_event', 'user-csv']) {
      expect(fields(checkTask({ event }))).toEqual(['/event']);
    }
  });

  it('refuses a start more than 24 hours in the future', () => {
    expect(checkTask({ startedAt: '2026-11-22T00:00:00Z' })).toContainEqual(
      err('/startedAt', 'is more than 24 hours in the future'),
    );
  });

  it('reports missing required fields by name', () => {
    const required = ['id', 'direction', 'triggerModule', 'triggerModuleName', 'triggerMethod'];
    expect(fields(validateTask({}, now))).toEqual([...required, 'startedAt'].map((n) => `/${n}`));
  });
});
