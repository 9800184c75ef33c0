import { describe, expect, it } from 'vitest';
import type { Job, System } from '../model/job.ts';
import { validateEntry } from '../model/validate-ingest.ts';
import { entryAt, inboundEntry, step, type CycleContext, type Outcome } from './entry-builder.ts';

const system = { id: 'sys-hr', name: 'HR "main" CSV', type: 'csv' } as System;
const ctx = (over: Partial<CycleContext> = {}): CycleContext => ({
  job: { id: 'HRCSV.0011223344556677' } as Job,
  system,
  taskId: '01TASK',
  cycleId: '01CYCLE',
  triggerMethod: 'automatic',
  source: 'scheduled_sync',
  now: () => Date.parse('2026-11-20T12:00:00.250Z'),
  ...over,
});
const started = Date.parse('2026-11-20T12:00:00.000Z');
const steps = [
  step('import', 'success', 'Imported E1 from HR (line 2)', { line: 2, key: 'E1' }),
  step('scoping', 'success', 'In scope'),
];

const outcomes: Record<string, Outcome> = {
  created: {
    action: 'create',
    status: 'success',
    steps,
    sourceKey: 'E1',
    sourceName: 'Zoë "Z" Ångström',
    hubId: 'hub-1',
    hubName: 'Zoë Ångström',
    startedAt: started,
    modifiedProperties: [{ name: 'title', oldValue: null, newValue: 'Lead\nEngineer' }],
  },
  unchanged: {
    action: 'update',
    status: 'skipped',
    skipReason: 'no_change',
    reason: 'No change needed',
    steps,
    sourceKey: 'E1',
    hubId: 'hub-1',
    startedAt: started,
  },
  failed: {
    action: 'other',
    status: 'failure',
    errorCode: 'MandatoryFieldsMissing',
    reason: "Required attribute 'userName' is missing (line 3)",
    steps,
    startedAt: started,
  },
  transient: {
    objectType: 'group',
    action: 'update',
    status: 'failure',
    errorCode: 'TooManyRequests',
    steps: [],
    sourceKey: 'G1',
    hubId: 'g-1',
    hubName: 'Sales',
    startedAt: started,
    modifiedProperties: [],
  },
  approved: {
    action: 'delete',
    status: 'success',
    operationId: '01EARLIER',
    approver: { type: 'user', id: 'ops@example.com' },
    steps,
    sourceKey: 'E9',
    hubId: 'hub-9',
    startedAt: started,
  },
};

describe('inboundEntry', () => {
  it.each(Object.entries(outcomes))('builds a valid %s entry', (_name, o) => {
    const c = ctx();
    const entry = entryAt(c, o, c.now(), '01CHANGE');
    expect(validateEntry(entry, c.now())).toEqual([]);
    expect(entry).toMatchObject({ changeId: '01CHANGE', status: o.status, action: o.action });
    expect(entry.targetSystem).toEqual({ id: 'provlog', name: 'provlog hub' });
  });

  it('marks a transient failure as such', () => {
    expect(inboundEntry(ctx(), outcomes.transient!)).toMatchObject({
      errorCode: 'TooManyRequests',
      errorCategory: 'transient',
    });
  });

  it('leaves out what the cycle does not have', () => {
    const c = ctx({ source: undefined as unknown as CycleContext['source'] });
    const entry = entryAt(c, outcomes.unchanged!, c.now(), '01CHANGE');
    expect(JSON.stringify(entry)).not.toContain('"source"');
    expect(entry.targetIdentity).toEqual({ id: 'hub-1', type: 'User' });
  });

  it('gives each entry a new change id, its operation id unless the outcome keeps one', () => {
    const a = inboundEntry(ctx(), outcomes.created!);
    const b = inboundEntry(ctx(), outcomes.approved!);
    expect(a.changeId).not.toBe(b.changeId);
    expect(a.operationId).toBe(a.changeId);
    expect(b.operationId).toBe('01EARLIER');
    expect(a.time).toBe('2026-11-20T12:00:00.250Z');
    expect(a.durationMs).toBe(250);
  });
});
