import { describe, expect, it } from 'vitest';
import { BatchAccounting } from './batch-accounting.ts';
import type { EntryHead } from './entry-codec.ts';
import { DAY_MS, HOUR_MS } from './entry-columns.ts';

const head = (over: Partial<EntryHead> = {}): EntryHead => ({
  changeId: 'c',
  time: '',
  taskId: 't1',
  operationId: 'c',
  direction: 'inbound',
  status: 'success',
  action: 'update',
  objectType: 'user',
  triggerMethod: 'automatic',
  ...over,
});

describe('BatchAccounting rollups', () => {
  it('counts each bucket and set of dimensions, however the entries interleave', () => {
    const t0 = Date.parse('2026-11-20T10:15:00Z');
    const sys = { id: 's1', name: 'S' };
    const kinds: Array<[Partial<EntryHead>, number]> = [
      [{}, t0],
      [{}, t0 + 60_000],
      [{ status: 'skipped', skipReason: 'no_change' }, t0],
      [{}, t0 + HOUR_MS],
      [{ sourceSystem: sys }, t0],
      [{ jobId: 'j1' }, t0 + DAY_MS],
      [{ status: 'failure', errorCode: 'E' }, t0],
    ];
    const acc = new BatchAccounting();
    const expected = { day: new Map<string, number>(), hour: new Map<string, number>() };
    for (let i = 0; i < 200; i++) {
      // Runs of equal entries, then a change: the pattern of a real batch, and its worst case.
      const [over, time] = kinds[Math.floor(i / 3) % kinds.length]!;
      const e = head(over);
      acc.add(e, time, false);
      const dims = [
        e.direction,
        e.status,
        e.action,
        e.objectType,
        e.skipReason ?? '',
        e.errorCode ?? '',
        e.sourceSystem?.id ?? '',
        '',
        e.jobId ?? '',
      ];
      for (const [which, size] of [
        ['day', DAY_MS],
        ['hour', HOUR_MS],
      ] as const) {
        const key = JSON.stringify([Math.floor(time / size) * size, ...dims]);
        expected[which].set(key, (expected[which].get(key) ?? 0) + 1);
      }
    }
    for (const which of ['day', 'hour'] as const) {
      const rows = acc.rollups(which);
      const got = new Map(rows.map((r) => [JSON.stringify(r.slice(0, -1)), r.at(-1)]));
      expect(got).toEqual(expected[which]);
      expect(rows.map((r) => r.at(-1) as number).reduce((a, b) => a + b)).toBe(200);
    }
  });

  it("counts a task's processed objects and outcomes", () => {
    const acc = new BatchAccounting();
    acc.add(head({ action: 'create' }), 0, false);
    acc.add(head({ status: 'failure', errorCode: 'E', objectType: 'group' }), 0, false);
    acc.add(head({ status: 'skipped', skipReason: 'no_change' }), 0, false);
    acc.add(head({ action: 'confirm' }), 0, false);
    acc.add(head({ taskId: null }), 0, false);
    const counts = acc.taskCounts();
    expect(counts.map(([taskId]) => taskId)).toEqual(['t1']);
    expect(counts[0]![1]).toMatchObject({
      processed: 3,
      created: 1,
      failed: 1,
      failed_group: 1,
      skipped: 1,
    });
  });
});
