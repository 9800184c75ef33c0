import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/build-app.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { ProvlogApiError, ProvlogClient } from './provlog-client.ts';
import { entry, task } from '../../test/helpers/entries.ts';

let app: FastifyInstance;
let store: SqliteLogStore;
let client: ProvlogClient;

beforeAll(async () => {
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new ProvlogClient({ baseUrl: address, token: 'test-token' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('ProvlogClient against a listening server', () => {
  it('ingests JSON and NDJSON and reads back entries, facets and tasks', async () => {
    const answer = await client.ingest({
      tasks: [task('ct')],
      entries: [entry('c1', { taskId: 'ct' }), entry('c2', { taskId: 'ct', minutes: 1 })],
    });
    expect(answer).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const nd = await client.ingestNdjson([
      { kind: 'entry', ...entry('c3', { minutes: 2, status: 'failure', errorCode: 'Timeout' }) },
      { kind: 'entry', ...entry('c1') },
    ]);
    expect(nd).toEqual({ accepted: 1, duplicates: 1, rejected: [] });

    const page = await client.listEntries({ status: ['success'], limit: 1 });
    expect(page.items.map((e) => e.changeId)).toEqual(['c2']);
    expect(page.nextCursor).toBeTruthy();
    const all: string[] = [];
    for await (const e of client.entries({ limit: 1 })) all.push(e.changeId);
    expect(all).toEqual(['c3', 'c2', 'c1']);
    expect((await client.facets({ taskId: 'ct' })).status).toEqual({ success: 2 });
    expect((await client.getEntry('c3')).errorCategory).toBe('transient');
    expect((await client.listTasks({ direction: 'outbound' })).items.map((t) => t.id)).toEqual([
      'ct',
    ]);
    expect((await client.getTask('ct')).counts.created).toBe(2);
    expect(await client.health()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('throws ProvlogApiError carrying the problem and its field errors', async () => {
    const err = await client.listEntries({ status: 'exploded' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvlogApiError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid_query',
      errors: [{ field: 'status' }],
    });
    const missing = await client.getEntry('nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'entry_not_found' });
  });
});
