import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
import { buildSummary } from './routes/summary.ts';
import { parseTimeZone } from '../query/time-zone.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { entry } from '../../test/helpers/entries.ts';

let store: SqliteLogStore;
let app: FastifyInstance;

beforeEach(async () => {
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('GET /api/v1/summary', () => {
  it('counts the last days by day, by application and by error code', async () => {
    const entries = [
      entry('a', { time: ago(0.01) }),
      entry('b', { time: ago(0.02), action: 'update' }),
      entry('c', { time: ago(0.03), status: 'failure', errorCode: 'EntryConflict', reason: 'x' }),
      entry('d', { time: ago(0.04), status: 'skipped', skipReason: 'no_change', action: 'other' }),
      entry('e', { time: ago(30), action: 'disable', targetSystem: { id: 'sl', name: 'Slack' } }),
      entry('old', { time: ago(24 * 10) }),
    ];
    const ing = await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: { entries } });
    expect(ing.json()).toMatchObject({ accepted: 6 });
    const res = await app.inject({ method: 'GET', url: '/api/v1/summary?window=7d' });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.days).toHaveLength(7);
    expect(s.totals).toEqual({
      total: 5,
      created: 1,
      updated: 1,
      deleted: 0,
      disabled: 1,
      skipped: 1,
      failed: 1,
    });
    expect(s.days.reduce((a: number, d: { total: number }) => a + d.total, 0)).toBe(5);
    expect(s.applications).toEqual(
      expect.arrayContaining([
        { name: 'ServiceNow', total: 4, failed: 1 },
        { name: 'Slack', total: 1, failed: 0 },
      ]),
    );
    expect(s.topErrors).toEqual([{ code: 'EntryConflict', title: 'Conflicting entry', count: 1 }]);
  });

  it('counts an application as the target of outbound and the source of inbound work, never the hub', async () => {
    const hub = { id: 'provlog', name: 'provlog hub' };
    const workday = { id: 'workday', name: 'Workday' };
    const entries = [
      entry('o1', { time: ago(1), sourceSystem: hub }),
      entry('o2', { time: ago(1), sourceSystem: hub, status: 'failure', errorCode: 'Timeout' }),
      entry('i1', { time: ago(2), direction: 'inbound', sourceSystem: workday, targetSystem: hub }),
      entry('i2', {
        time: ago(2),
        direction: 'inbound',
        sourceSystem: workday,
        targetSystem: hub,
        status: 'failure',
        errorCode: 'MandatoryFieldsMissing',
      }),
      entry('i3', { time: ago(2), direction: 'inbound', sourceSystem: workday, targetSystem: hub }),
    ];
    await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: { entries } });
    const s = (await app.inject({ method: 'GET', url: '/api/v1/summary' })).json();
    expect(s.applications).toEqual([
      { name: 'Workday', total: 3, failed: 1 },
      { name: 'ServiceNow', total: 2, failed: 1 },
    ]);
    // The same figures as the log's application filter gives for each.
    for (const a of s.applications as { name: string; total: number }[]) {
      const facets = await store.facets({
        from: Date.parse(s.from),
        to: Date.parse(s.to),
        application: a.name,
      });
      expect(Object.values(facets.status ?? {}).reduce((x, y) => x + y, 0)).toBe(a.total);
    }
    expect(s.topErrors.map((e: { code: string }) => e.code).sort()).toEqual([
      'MandatoryFieldsMissing',
      'Timeout',
    ]);
  });

  it('refuses an unknown window as problem+json', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/summary?window=90d' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('GET /api/v1/summary?tz=…: days of the viewer', () => {
  // 2026-11-02 is a Monday; New York left daylight saving time on Sunday 2026-11-01.
  const now = Date.parse('2026-11-02T12:00:00Z');
  const at = (iso: string, id: string) => entry(id, { time: iso });

  beforeEach(async () => {
    const entries = [
      at('2026-11-01T16:30:00Z', 'tokyo-2nd'), // Tokyo: 2 Nov 01:30; UTC: 1 Nov
      at('2026-11-02T03:00:00Z', 'ny-1st'), //   New York: 1 Nov 22:00 (EST, UTC-5); UTC: 2 Nov
      at('2026-11-01T03:30:00Z', 'ny-31st'), //  New York: 31 Oct 23:30 (still EDT, UTC-4)
      at('2026-10-31T20:00:00Z', 'kolkata-1st'), // Kolkata: 1 Nov 01:30; UTC: 31 Oct
    ];
    await app.inject({ method: 'POST', url: '/api/v1/ingest', payload: { entries } });
  });
  const byDay = (s: { days: { day: string; total: number }[] }) =>
    Object.fromEntries(s.days.map((d) => [d.day, d.total]));

  it('counts UTC days by default', async () => {
    const s = await buildSummary(store, 3, now);
    expect(s.timeZone).toBe('+00:00');
    expect(byDay(s)).toEqual({ '2026-10-31': 1, '2026-11-01': 2, '2026-11-02': 1 });
  });

  it('counts local days of an IANA zone, 25 hours on the day daylight saving time ends', async () => {
    const s = await buildSummary(store, 3, now, parseTimeZone('America/New_York'));
    expect(s.timeZone).toBe('America/New_York');
    expect(byDay(s)).toEqual({ '2026-10-31': 2, '2026-11-01': 2, '2026-11-02': 0 });
    const sunday = s.days[1]!;
    expect(sunday).toMatchObject({
      from: '2026-11-01T04:00:00.000Z',
      to: '2026-11-02T04:59:59.999Z',
    });
    const tokyo = await buildSummary(store, 3, now, parseTimeZone('Asia/Tokyo'));
    expect(byDay(tokyo)).toEqual({ '2026-10-31': 0, '2026-11-01': 2, '2026-11-02': 2 });
    expect(tokyo.days.at(-1)).toMatchObject({ to: '2026-11-02T12:00:00.000Z' });
  });

  it('counts days of a fixed offset that is not a whole hour', async () => {
    const s = await buildSummary(store, 3, now, parseTimeZone('+05:30'));
    expect(s.timeZone).toBe('+05:30');
    expect(s.days[0]).toMatchObject({ day: '2026-10-31', from: '2026-10-30T18:30:00.000Z' });
    expect(byDay(s)).toEqual({ '2026-10-31': 0, '2026-11-01': 3, '2026-11-02': 1 });
  });

  it('takes tz over HTTP and refuses a zone it does not know', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/v1/summary?tz=Europe/Paris' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ timeZone: 'Europe/Paris' });
    for (const tz of ['Mars/Olympus', '+25:00', 'DROP TABLE']) {
      const bad = await app.inject({
        method: 'GET',
        url: `/api/v1/summary?tz=${encodeURIComponent(tz)}`,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'tz' })]);
    }
  });
});

describe('GET /api/v1/error-codes', () => {
  it('lists the catalog with recommendations', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/error-codes' });
    expect(res.statusCode).toBe(200);
    const conflict = res.json().items.find((c: { code: string }) => c.code === 'EntryConflict');
    expect(conflict).toMatchObject({ transient: false, recommendation: expect.any(String) });
  });
});
