import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
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

  it('refuses an unknown window as problem+json', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/summary?window=90d' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
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
