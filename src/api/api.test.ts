import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { entry, task } from '../../test/helpers/entries.ts';

let store: SqliteLogStore;
let app: FastifyInstance;

beforeEach(async () => {
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store, ingestBodyLimit: 64 * 1024 });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const ingest = (payload: unknown, contentType = 'application/json') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    headers: { 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
const get = (url: string) => app.inject({ method: 'GET', url });
const countEntries = async () => (await store.listEntries({}, { limit: 1000 })).items.length;

describe('POST /api/v1/ingest', () => {
  it('prepares big bodies on a worker thread with the same answers', async () => {
    const big = await buildApp({ store, ingestWorkers: 1 });
    try {
      // Past the size prepared in place (256 KiB): parsed, validated and split by the worker.
      const lines = Array.from({ length: 600 }, (_, i) =>
        JSON.stringify({ kind: 'entry', ...entry(`w-${i}`, { reason: 'x'.repeat(400) }) }),
      );
      lines[10] = JSON.stringify({ kind: 'entry', ...entry('w-10'), direction: 'sideways' });
      lines.push(lines[20]!);
      const body = lines.join('\n');
      expect(body.length).toBeGreaterThan(256 * 1024);
      const res = await big.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ accepted: 599, duplicates: 1 });
      expect(res.json().rejected).toEqual([
        expect.objectContaining({ index: 10, line: 11, changeId: 'w-10' }),
      ]);
      const malformed = await big.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { 'content-type': 'application/json' },
        payload: `{"entries": [${lines.slice(0, 500).join(',')}`,
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json()).toMatchObject({ code: 'malformed_json' });
      expect((await store.listEntries({}, { limit: 1000 })).items).toHaveLength(599);
    } finally {
      await big.close();
    }
  });

  it('reads bodies sent in chunks without a length, past its first guess, into memory it uses again', async () => {
    const served = await buildApp({ store, ingestWorkers: 1, ingestBodyLimit: 4 * 1024 * 1024 });
    try {
      const base = await served.listen({ host: '127.0.0.1', port: 0 });
      const send = (prefix: string, lines: number) => {
        const text = Array.from({ length: lines }, (_, i) =>
          JSON.stringify({
            kind: 'entry',
            ...entry(`${prefix}-${i}`, { reason: 'é'.repeat(700) }),
          }),
        ).join('\n');
        const bytes = Buffer.from(text);
        // A stream body goes out chunked: no Content-Length for the server to size memory by.
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 100_000)
              controller.enqueue(bytes.subarray(at, at + 100_000));
            controller.close();
          },
        });
        return fetch(`${base}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
          duplex: 'half',
        } as RequestInit);
      };
      // ~1.6 MB: more than the first MiB the reader takes for a body of unknown length.
      const first = await send('chunked', 1000);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ accepted: 1000, rejected: [] });
      const second = await send('again', 1000);
      expect(await second.json()).toMatchObject({ accepted: 1000, rejected: [] });
      // ~4.4 MB: past the limit while it arrives.
      const tooBig = await send('big', 2700);
      expect(tooBig.status).toBe(413);
      expect((await tooBig.json()).code).toBe('body_too_large');
      const stored = await store.listEntries({}, { limit: 3000 });
      expect(stored.items).toHaveLength(2000);
      expect(stored.items.some((e) => e.changeId.startsWith('big-'))).toBe(false);
      expect(stored.items.find((e) => e.changeId === 'chunked-999')?.reason).toBe('é'.repeat(700));
    } finally {
      await served.close();
    }
  });

  it('stores the valid records of a JSON batch and rejects the others with index and reasons', async () => {
    const res = await ingest({
      tasks: [task('t1')],
      entries: [
        entry('ok-1', { taskId: 't1' }),
        { ...entry('bad-1'), status: 'exploded' },
        entry('ok-2'),
        { changeId: 'bad-2' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(3);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3]);
    expect(body.rejected[0]).toMatchObject({ kind: 'entry', changeId: 'bad-1' });
    expect(body.rejected[0].errors[0].field).toBe('/status');
    expect(body.rejected[1].errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['/time', '/direction', '/status']),
    );
    expect(await countEntries()).toBe(2);
  });

  it('counts a repeated changeId as a duplicate, not an error', async () => {
    await ingest({ entries: [entry('dup')] });
    const res = await ingest({ entries: [entry('dup'), entry('new')] });
    expect(res.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
  });

  it('takes NDJSON lines with a kind, reporting bad lines by index and line number', async () => {
    const lines = [
      JSON.stringify({ kind: 'task', ...task('nd') }),
      '',
      JSON.stringify({ kind: 'entry', ...entry('nd-1', { taskId: 'nd' }) }),
      JSON.stringify({ kind: 'widget', ...entry('nd-2') }),
      JSON.stringify({ kind: 'entry', ...entry('nd-3'), direction: 'sideways' }),
      '[1,2]',
    ].join('\n');
    const res = await ingest(lines, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      {
        index: 2,
        line: 4,
        errors: [{ field: '/kind', message: 'must be "task" or "entry", got "widget"' }],
      },
      expect.objectContaining({ index: 3, line: 5, kind: 'entry', changeId: 'nd-3' }),
      { index: 4, line: 6, errors: [{ field: '/', message: 'must be a JSON object' }] },
    ]);
    expect((await store.getTask('nd'))?.counts.processed).toBe(1);
  });

  it('refuses malformed JSON and NDJSON whole, storing nothing', async () => {
    for (const [payload, type] of [
      ['{"entries": [', 'application/json'],
      [
        `${JSON.stringify({ kind: 'entry', ...entry('x1') })}\n{"kind":"entry",`,
        'application/x-ndjson',
      ],
    ] as const) {
      const res = await ingest(payload, type);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, code: 'malformed_json' });
    }
    expect(
      res2Line((await ingest('{"kind":"entry"}\nnot json', 'application/x-ndjson')).json()),
    ).toBe('line 2');
    expect(await countEntries()).toBe(0);
  });

  it('refuses bodies of the wrong shape, size or media type without storing anything', async () => {
    const shape = await ingest({ entries: {}, extra: 1 });
    expect(shape.statusCode).toBe(400);
    expect(
      shape
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['/entries', '/extra']);
    expect((await ingest([entry('arr')])).statusCode).toBe(400);
    const big = await ingest({
      entries: Array.from({ length: 200 }, (_, i) =>
        entry(`big-${i}`, { reason: 'x'.repeat(400) }),
      ),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('body_too_large');
    const xml = await ingest('<entries/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    expect(await countEntries()).toBe(0);
  });
});

function res2Line(problem: { errors?: Array<{ field: string }> }): string | undefined {
  return problem.errors?.[0]?.field;
}

describe('GET /api/v1/entries', () => {
  beforeEach(async () => {
    await ingest({
      tasks: [task('T1')],
      entries: [
        entry('a', {
          minutes: 0,
          taskId: 'T1',
          status: 'failure',
          errorCode: 'Timeout',
          targetIdentity: { id: 'sn-1', displayName: 'Ольга Иванова' },
        }),
        entry('b', { minutes: 1, taskId: 'T1', targetSystem: { id: 'slack', name: 'Slack' } }),
        entry('c', { minutes: 2, status: 'skipped', skipReason: 'out_of_scope', action: 'other' }),
      ],
    });
  });

  it('lists newest first with comma-separated filters and cursor paging', async () => {
    const all = await get('/api/v1/entries');
    expect(all.json().items.map((e: { changeId: string }) => e.changeId)).toEqual(['c', 'b', 'a']);
    const two = await get('/api/v1/entries?status=failure,skipped');
    expect(two.json().items.map((e: { changeId: string }) => e.changeId)).toEqual(['c', 'a']);
    const p1 = (await get('/api/v1/entries?limit=2')).json();
    expect(p1.items).toHaveLength(2);
    const p2 = (await get(`/api/v1/entries?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((e: { changeId: string }) => e.changeId)).toEqual(['a']);
    expect(p2.nextCursor).toBeNull();
    const who = await get(`/api/v1/entries?identity=${encodeURIComponent('ольга')}`);
    expect(who.json().items.map((e: { changeId: string }) => e.changeId)).toEqual(['a']);
    const app2 = await get('/api/v1/entries?application=SLA&taskId=T1');
    expect(app2.json().items.map((e: { changeId: string }) => e.changeId)).toEqual(['b']);
  });

  it('answers bad parameters with problem+json naming each one', async () => {
    const cases: Array<[string, string, string]> = [
      ['/api/v1/entries?colour=red', 'invalid_query', 'colour'],
      ['/api/v1/entries?status=exploded', 'invalid_query', 'status'],
      ['/api/v1/entries?from=yesterday', 'invalid_query', 'from'],
      ['/api/v1/entries?window=7w', 'invalid_query', 'window'],
      ['/api/v1/entries?limit=0', 'invalid_query', 'limit'],
      ['/api/v1/entries?limit=5000', 'invalid_query', 'limit'],
      ['/api/v1/entries?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'invalid_cursor', 'cursor'],
      ['/api/v1/entries/facets?cursor=x', 'invalid_query', 'cursor'],
      ['/api/v1/tasks?status=done', 'invalid_query', 'status'],
    ];
    for (const [url, code, field] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(problem, url).toMatchObject({ status: 400, code });
      expect(
        problem.errors.map((e: { field: string }) => e.field),
        url,
      ).toContain(field);
    }
  });

  it('refuses a tampered cursor', async () => {
    const p1 = (await get('/api/v1/entries?limit=1')).json();
    const cursor: string = p1.nextCursor;
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const res = await get(`/api/v1/entries?limit=1&cursor=${tampered}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_cursor');
  });

  it('returns facets for the same filters', async () => {
    const res = await get('/api/v1/entries/facets?taskId=T1');
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toEqual({ failure: 1, success: 1 });
    expect(res.json().targetSystem).toEqual({ ServiceNow: 1, Slack: 1 });
  });

  it('returns one entry whole, or a 404 problem', async () => {
    const res = await get('/api/v1/entries/a');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      changeId: 'a',
      errorCode: 'Timeout',
      errorCategory: 'transient',
      relatedAttempts: [{ changeId: 'a' }],
    });
    const missing = await get('/api/v1/entries/zzz');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('entry_not_found');
  });
});

describe('tasks, health and OpenAPI', () => {
  it('lists tasks and shows one with counts and description', async () => {
    await ingest({
      tasks: [task('T9')],
      entries: [
        entry('x', {
          taskId: 'T9',
          status: 'failure',
          errorCode: 'Timeout',
          objectType: 'account',
        }),
        entry('y', { taskId: 'T9' }),
      ],
    });
    const list = (await get('/api/v1/tasks?direction=outbound')).json();
    expect(list.items.map((t: { id: string }) => t.id)).toEqual(['T9']);
    const one = (await get('/api/v1/tasks/T9')).json();
    expect(one).toMatchObject({
      status: 'partially_succeeded',
      statusDescription: '1 account failed',
      counts: { processed: 2, failed: 1, created: 1 },
    });
    expect((await get('/api/v1/tasks/none')).statusCode).toBe(404);
  });

  it('reports health with the store kind', async () => {
    const res = await get('/healthz');
    expect(res.json()).toEqual({ status: 'ok', store: 'sqlite' });
    await store.close();
    const down = await get('/healthz');
    expect(down.statusCode).toBe(503);
    expect(down.json().code).toBe('store_unavailable');
  });

  it('publishes an OpenAPI document of every route', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/entries',
        '/api/v1/entries/facets',
        '/api/v1/entries/{changeId}',
        '/api/v1/error-codes',
        '/api/v1/ingest',
        '/api/v1/summary',
        '/api/v1/tasks',
        '/api/v1/tasks/{id}',
        '/healthz',
      ].sort(),
    );
    const params = doc.paths['/api/v1/entries'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(
      expect.arrayContaining(['identity', 'application', 'window', 'cursor', 'errorCode']),
    );
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await get('/api/v1/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
