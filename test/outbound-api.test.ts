import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/build-app.ts';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';
import { outboundFixture } from './helpers/outbound-fixture.ts';
import type { Task } from '../src/model/task.ts';
import { ProvlogClient } from '../src/client/provlog-client.ts';
import { injectFetch } from '../src/client/inject-fetch.ts';

const TOKEN = 'api-outbound-token-7890';

describe('outbound actions over HTTP', () => {
  let server: ScimTestServer;
  let proxy: FaultProxy;
  let f: Awaited<ReturnType<typeof outboundFixture>>;
  let app: FastifyInstance;

  beforeAll(async () => {
    server = await startScimServer({ tokens: [TOKEN] });
    proxy = await startFaultProxy(server.origin);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await server.reset();
    proxy.clear();
    f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN, { deprovision: 'delete' });
    app = await buildApp({
      store: f.store,
      directory: f.store.directory,
      config: f.store.config,
      runner: f.runner,
      outbound: f.engine,
    });
  });
  afterEach(async () => {
    await app.close();
    await f.close();
  });

  const finished = async (taskId: string): Promise<Task> => {
    for (;;) {
      const t = await f.store.getTask(taskId);
      if (t?.endedAt) return t;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const entryCount = async () => (await f.store.listEntries({}, { limit: 1000 })).items.length;

  it('runs a job, refuses bad input without storing anything, retries, confirms a deletion and re-triggers', async () => {
    const ada = await f.store.directory.createUser({
      userName: 'ada@example.com',
      displayName: 'Ada',
    });
    const run = await app.inject({ method: 'POST', url: `/api/v1/jobs/${f.jobId}/run` });
    expect(run.statusCode).toBe(202);
    const task = await finished(run.json<{ taskId: string }>().taskId);
    expect(task.counts).toMatchObject({ created: 1 });

    const before = await entryCount();
    const bad = await app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${f.jobId}/provision-on-demand`,
      payload: { objectId: ada.id, dryRun: 'yes', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const [success] = (await f.store.listEntries({}, { limit: 1 })).items;
    const notFailed = await app.inject({
      method: 'POST',
      url: `/api/v1/entries/${success!.changeId}/retry`,
    });
    expect(notFailed.statusCode).toBe(409);
    const missing = await app.inject({ method: 'POST', url: '/api/v1/entries/nope/confirm' });
    expect(missing.statusCode).toBe(404);
    const noTask = await app.inject({ method: 'POST', url: '/api/v1/tasks/nope/retrigger' });
    expect(noTask.statusCode).toBe(404);
    expect(await entryCount()).toBe(before);

    const dry = await app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${f.jobId}/provision-on-demand`,
      payload: { objectId: 'ada@example.com', dryRun: true },
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ status: 'skipped', action: 'update' });

    // The target refuses the deletion; an operator deletes by hand and confirms.
    await f.store.directory.deleteUser(ada.id);
    proxy.inject({
      method: 'DELETE',
      path: '/Users/',
      times: 2,
      fault: { kind: 'respond', status: 403 },
    });
    const incremental = await app.inject({ method: 'POST', url: `/api/v1/jobs/${f.jobId}/run` });
    const t2 = await finished(incremental.json<{ taskId: string }>().taskId);
    expect(t2.status).toBe('failed');
    const [failure] = (await f.store.listEntries({ taskId: [t2.id] }, { limit: 10 })).items;
    expect(failure).toMatchObject({ action: 'delete', errorCode: 'InsufficientRights' });
    const retried = await app.inject({
      method: 'POST',
      url: `/api/v1/entries/${failure!.changeId}/retry`,
      payload: { actor: { id: 'ops@example.com' } },
    });
    expect(retried.json()).toMatchObject({
      status: 'failure',
      attempt: 2,
      actor: { id: 'ops@example.com' },
    });
    const stale = await app.inject({
      method: 'POST',
      url: `/api/v1/entries/${failure!.changeId}/confirm`,
    });
    expect(stale.statusCode).toBe(409);
    const confirmed = await app.inject({
      method: 'POST',
      url: `/api/v1/entries/${retried.json<{ changeId: string }>().changeId}/confirm`,
      payload: { actor: { id: 'ops@example.com', displayName: 'Ops' } },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ action: 'confirm', status: 'success' });
    expect(await f.store.directory.anchor(f.jobId, ada.id)).toBeUndefined();
    expect((await f.store.getTask(t2.id))!.status).toBe('succeeded');

    const again = await app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/retrigger` });
    expect(again.statusCode).toBe(202);
    const t3 = await finished(again.json<{ taskId: string }>().taskId);
    expect(t3).toMatchObject({ parentTaskId: task.id, source: 're_trigger' });
  });

  it('resuming a quarantined job clears its quarantine, so the next one waits from the start', async () => {
    const job = (await f.store.config.getJob(f.jobId))!;
    // Two unhealthy runs in a row: quarantined, with a widened wait.
    await f.engine.judge(job, 20, 20);
    await f.engine.judge(job, 20, 20);
    expect((await f.store.outbound.state(f.jobId)).quarantineLevel).toBe(2);
    expect((await f.store.config.getJob(f.jobId))!.state).toBe('quarantined');
    const res = await app.inject({ method: 'POST', url: `/api/v1/jobs/${f.jobId}/resume` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'active' });
    expect(await f.store.outbound.state(f.jobId)).toMatchObject({
      quarantineLevel: 0,
      quarantineUntil: null,
      quarantineReason: null,
    });
  });

  it('the typed client reaches the same actions', async () => {
    const client = new ProvlogClient({ baseUrl: 'http://provlog', fetch: injectFetch(app) });
    const u = await f.store.directory.createUser({ userName: 'bob@example.com' });
    const dry = await client.provisionOnDemand(f.jobId, u.id, { dryRun: true });
    expect(dry).toMatchObject({ status: 'skipped', action: 'create', request: { method: 'POST' } });
    const pushed = await client.provisionOnDemand(f.jobId, u.id);
    expect(pushed).toMatchObject({ status: 'success', action: 'create' });
    await expect(client.retryEntry(pushed.changeId)).rejects.toMatchObject({ status: 409 });
    await expect(client.confirmEntry('missing')).rejects.toMatchObject({ status: 404 });
    await expect(client.retriggerTask('missing')).rejects.toMatchObject({ status: 404 });
  });
});
