import { describe, expect, it } from 'vitest';
import type { Job, System } from '../model/job.ts';
import { entryAt, InboundLines, step, type CycleContext, type Outcome } from './entry-builder.ts';

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

describe('InboundLines', () => {
  it.each(Object.entries(outcomes))(
    'writes the line of a %s entry byte for byte as serialising the entry does',
    (_name, o) => {
      const c = ctx();
      const time = c.now();
      const line = new InboundLines(c).lineAt(o, time, '01CHANGE');
      const entry = entryAt(c, o, time, '01CHANGE');
      expect(line).toBe(JSON.stringify({ kind: 'entry', ...entry }));
    },
  );

  it('marks a transient failure as such', () => {
    const line = new InboundLines(ctx()).line(outcomes.transient!);
    expect(JSON.parse(line)).toMatchObject({
      errorCode: 'TooManyRequests',
      errorCategory: 'transient',
    });
  });

  it('leaves out what the cycle does not have, as serialising does', () => {
    const c = ctx({ source: undefined as unknown as CycleContext['source'] });
    const o = outcomes.unchanged!;
    const line = new InboundLines(c).lineAt(o, c.now(), '01CHANGE');
    expect(line).toBe(JSON.stringify({ kind: 'entry', ...entryAt(c, o, c.now(), '01CHANGE') }));
    expect(line).not.toContain('"source"');
  });

  it('gives each line a new change id, its operation id unless the outcome keeps one', () => {
    const lines = new InboundLines(ctx());
    const a = JSON.parse(lines.line(outcomes.created!)) as Record<string, string>;
    const b = JSON.parse(lines.line(outcomes.approved!)) as Record<string, string>;
    expect(a.changeId).not.toBe(b.changeId);
    expect(a.operationId).toBe(a.changeId);
    expect(b.operationId).toBe('01EARLIER');
    expect(a.time).toBe('2026-11-20T12:00:00.250Z');
    expect(a.durationMs).toBe(250);
  });
});
