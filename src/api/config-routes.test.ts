import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';

let store: SqliteLogStore;
let app: FastifyInstance;
beforeEach(async () => {
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store, directory: store.directory, config: store.config });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({
    method,
    url: `/api/v1${url}`,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

/** Every row of every table, as text. */
const databaseText = () =>
  (
    store.db
      // The log's free-text index keeps no text to read back (its shadow tables are read).
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'entries_words'")
      .pluck()
      .all() as string[]
  )
    .map((t) => JSON.stringify(store.db.prepare(`SELECT * FROM "${t}"`).all()))
    .join('\n');

const jobBody = (systemId: string, over: Record<string, unknown> = {}) => ({
  name: 'HR import',
  systemId,
  direction: 'inbound',
  objectTypes: ['user'],
  mappings: [{ target: 'userName', source: 'mail' }],
  matchingAttribute: 'userName',
  schedule: '0 * * * *',
  ...over,
});

describe('systems API', () => {
  it('never returns or stores a secret value in the clear', async () => {
    const bodies: string[] = [];
    const created = await call('POST', '/systems', {
      name: 'ServiceNow',
      type: 'scim',
      settings: { baseUrl: 'https://sn.example.com/scim/v2' },
      secrets: { token: 's3cr3t' },
    });
    expect(created.statusCode).toBe(201);
    bodies.push(created.body);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ name: 'ServiceNow', secretNames: ['token'] });
    expect(created.json()).not.toHaveProperty('secrets');
    for (const res of [
      await call('GET', '/systems'),
      await call('GET', `/systems/${id}`),
      await call('PATCH', `/systems/${id}`, { secrets: { password: 'pa55w0rd' } }),
      await call('GET', '/openapi.json'),
    ]) {
      expect(res.statusCode).toBe(200);
      bodies.push(res.body);
    }
    expect(bodies.join('\n')).not.toContain('s3cr3t');
    expect(bodies.join('\n')).not.toContain('pa55w0rd');
    expect(databaseText()).not.toContain('s3cr3t');
    expect(databaseText()).not.toContain('pa55w0rd');
    expect(await store.config.getSystemSecrets(id)).toEqual({
      token: 's3cr3t',
      password: 'pa55w0rd',
    });
    const removed = await call('PATCH', `/systems/${id}`, { secrets: { token: null } });
    expect(removed.json().secretNames).toEqual(['password']);
  });

  it('reads, lists, patches and deletes; refuses duplicates and bad bodies', async () => {
    const id = (await call('POST', '/systems', { name: 'Workday', type: 'csv' })).json()
      .id as string;
    const dup = await call('POST', '/systems', { name: 'WORKDAY', type: 'ldap' });
    expect(dup.statusCode).toBe(409);
    expect(dup.headers['content-type']).toMatch(/problem\+json/);
    expect(dup.json()).toMatchObject({
      code: 'conflict',
      errors: [{ field: '/name', message: 'is already taken' }],
    });
    const bad = await call('POST', '/systems', { name: 'X', type: 'ftp', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_body');
    expect((await call('GET', '/systems')).json().items).toHaveLength(1);
    const patched = await call('PATCH', `/systems/${id}`, { traceLevel: 'failures' });
    expect(patched.json()).toMatchObject({ name: 'Workday', traceLevel: 'failures' });
    const missing = await call('GET', '/systems/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('system_not_found');
    expect((await call('DELETE', `/systems/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/systems/${id}`)).statusCode).toBe(404);
  });
});

describe('jobs API', () => {
  it('creates, lists by system, patches, pauses, resumes and deletes jobs', async () => {
    const hr = (await call('POST', '/systems', { name: 'Workday HR', type: 'csv' })).json()
      .id as string;
    const ext = (await call('POST', '/systems', { name: 'Okta', type: 'external' })).json()
      .id as string;
    const created = await call('POST', '/jobs', jobBody(hr));
    expect(created.statusCode).toBe(201);
    const job = created.json();
    expect(job.id).toMatch(/^WorkdayHR\.[0-9a-f]{16}$/);
    expect(job.state).toBe('not_run');
    await call('POST', '/jobs', jobBody(ext, { direction: 'outbound' }));
    expect((await call('GET', '/jobs')).json().items).toHaveLength(2);
    const ofHr = (await call('GET', `/jobs?systemId=${hr}`)).json().items;
    expect(ofHr.map((j: { id: string }) => j.id)).toEqual([job.id]);

    const patched = await call('PATCH', `/jobs/${job.id}`, { schedule: null, name: 'Nightly' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Nightly' });
    expect(patched.json()).not.toHaveProperty('schedule');

    expect((await call('POST', `/jobs/${job.id}/pause`)).json().state).toBe('paused');
    expect((await call('POST', `/jobs/${job.id}/resume`)).json().state).toBe('active');

    const inUse = await call('DELETE', `/systems/${hr}`);
    expect(inUse.statusCode).toBe(409);
    expect((await call('DELETE', `/jobs/${job.id}`)).statusCode).toBe(204);
    const gone = await call('GET', `/jobs/${job.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('job_not_found');
    expect((await call('POST', `/jobs/${job.id}/pause`)).json().code).toBe('job_not_found');
  });

  it('answers bad jobs with the offending field and stores nothing', async () => {
    const csv = (await call('POST', '/systems', { name: 'HR', type: 'csv' })).json().id as string;
    const scim = (await call('POST', '/systems', { name: 'SN', type: 'scim' })).json().id as string;
    const cases: Array<[Record<string, unknown>, string]> = [
      [jobBody('ghost'), '/systemId'],
      [jobBody(csv, { direction: 'outbound' }), '/direction'],
      [jobBody(scim), '/direction'],
      [jobBody(csv, { schedule: '0 25 * * *' }), '/schedule'],
      [jobBody(csv, { mappings: [{ target: 'a', source: 'b', expression: 'c' }] }), '/mappings/0'],
      [jobBody(csv, { mappings: [{ target: 'a' }] }), '/mappings/0'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/jobs', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().code).toBe('invalid_body');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const unknownField = await call('POST', '/jobs', jobBody(csv, { colour: 'red' }));
    expect(unknownField.statusCode).toBe(400);
    expect((await call('GET', '/jobs')).json().items).toEqual([]);
  });
});
