import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';

let store: SqliteLogStore;
let app: FastifyInstance;
beforeEach(async () => {
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store, directory: store.directory });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url: `/api/v1/hub${url}`,
    ...(payload !== undefined ? { payload: payload as object } : {}),
    headers,
  });

describe('hub directory API', () => {
  it('creates, reads, patches, disables and deletes a user, and lists the changes', async () => {
    const created = await call('POST', '/users', {
      userName: 'ada@example.com',
      displayName: 'Ada',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect((await call('GET', `/users/${id}`)).json()).toMatchObject({
      userName: 'ada@example.com',
      active: true,
      version: 1,
    });
    const patched = await call(
      'PATCH',
      `/users/${id}`,
      { title: 'Engineer', displayName: 'Ada L.' },
      { 'if-match': '1' },
    );
    expect(patched.statusCode).toBe(200);
    expect(patched.json().changes.map((c: { name: string }) => c.name)).toEqual([
      'displayName',
      'title',
    ]);
    expect(
      (await call('PATCH', `/users/${id}`, { title: 'x' }, { 'if-match': '1' })).statusCode,
    ).toBe(412);
    expect((await call('POST', `/users/${id}/disable`)).json().active).toBe(false);
    expect((await call('GET', '/users?active=false')).json().items).toHaveLength(1);
    expect((await call('DELETE', `/users/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/users/${id}`)).statusCode).toBe(404);
    const changes = (await call('GET', '/changes?after=0')).json();
    expect(changes.items.map((c: { operation: string }) => c.operation)).toEqual([
      'create',
      'update',
      'disable',
      'delete',
    ]);
  });

  it('answers bad input with problem+json and stores nothing', async () => {
    const bad = await call('POST', '/users', { userName: '', colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    await call('POST', '/users', { userName: 'taken@example.com' });
    const dup = await call('POST', '/users', { userName: 'TAKEN@example.com' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: '/userName', message: 'is already taken' }]);
    const dangling = await call('POST', '/groups', { displayName: 'G', members: ['ghost'] });
    expect(dangling.statusCode).toBe(400);
    expect((await call('GET', '/groups')).json().items).toEqual([]);
    expect((await call('GET', '/changes')).json().items).toHaveLength(1);
  });
});
