import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';
import { outboundFixture } from './helpers/outbound-fixture.ts';
import type { Entry } from '../src/model/entry.ts';

const TOKEN = 'outbound-secret-token-123456';

type Fixture = Awaited<ReturnType<typeof outboundFixture>>;

/** Every user the target holds, by userName (several with one name would be duplicates). */
async function targetUsers(server: ScimTestServer): Promise<Map<string, number>> {
  const res = await fetch(`${server.baseUrl}/Users?count=10000`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const body = (await res.json()) as { Resources?: Array<{ userName: string }> };
  const out = new Map<string, number>();
  for (const u of body.Resources ?? []) out.set(u.userName, (out.get(u.userName) ?? 0) + 1);
  return out;
}

async function allEntries(f: Fixture, query: Record<string, string[]> = {}): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = await f.store.listEntries(query, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function runJob(f: Fixture, extra: { mode?: 'full' | 'incremental' } = {}) {
  const { done } = await f.runner.start({
    jobId: f.jobId,
    triggerMethod: 'manual',
    trigger: 'manual_operation',
    ...extra,
  });
  return done;
}

describe('outbound SCIM provisioning against a real SCIM server', () => {
  let server: ScimTestServer;
  let proxy: FaultProxy;
  let f: Fixture;

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
    f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN);
  });
  afterEach(async () => f.close());

  const addUsers = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++)
      out.push(
        await f.store.directory.createUser({
          userName: `user${i}@example.com`,
          displayName: `User ${i}`,
          givenName: 'User',
          familyName: `N${i}`,
          email: `user${i}@example.com`,
        }),
      );
    return out;
  };

  it("keeps only what the system's trace level asks for, and counts the rest on the task", async () => {
    await addUsers(3);
    await runJob(f);
    const system = (await f.store.config.getJob(f.jobId))!.systemId;
    await f.store.config.updateSystem(system, { traceLevel: 'changes' });
    const again = await runJob(f, { mode: 'full' });
    expect(again.counts).toMatchObject({ processed: 3, skipped: 3, failed: 0 });
    expect(again.untraced).toEqual({ skipped: 3 });
    expect(again.status).toBe('succeeded');
    expect(await allEntries(f, { taskId: [again.id] })).toEqual([]);
  });

  it('full cycle creates, matches existing users instead of duplicating, and logs the four steps with payloads', async () => {
    const users = await addUsers(5);
    // One already exists in the target: it must be matched, not created again.
    await fetch(`${server.baseUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'user0@example.com',
        displayName: 'Old Name',
      }),
    });
    const task = await runJob(f);
    const failed = (await allEntries(f)).filter((e) => e.status === 'failure');
    expect(failed.map((e) => e.reason)).toEqual([]);
    expect(task).toMatchObject({
      status: 'succeeded',
      direction: 'outbound',
      event: 'account_synchronization',
    });
    expect(task.counts).toMatchObject({ processed: 5, created: 4, updated: 1, failed: 0 });
    expect([...(await targetUsers(server)).values()]).toEqual([1, 1, 1, 1, 1]);

    const entries = await allEntries(f, { taskId: [task.id] });
    const created = entries.find((e) => e.action === 'create')!;
    const detail = (await f.store.getEntry(created.changeId))!;
    expect(detail.steps?.map((s) => `${s.name}:${s.status}`)).toEqual([
      'import:success',
      'scoping:success',
      'matching:success',
      'provision:success',
    ]);
    expect(detail.request).toMatchObject({ method: 'POST' });
    expect(detail.request?.headers?.authorization).not.toContain(TOKEN);
    expect(detail.response).toMatchObject({ status: 201 });
    const matched = entries.find((e) => e.sourceIdentity?.id === users[0]!.id)!;
    expect(matched).toMatchObject({ action: 'update', status: 'success' });
    expect(matched.modifiedProperties).toContainEqual({
      name: 'displayName',
      oldValue: 'Old Name',
      newValue: 'User 0',
    });
    expect((await f.store.outbound.state(f.jobId)).fullDone).toBe(true);
    expect(
      await f.store.directory.anchorsFor(
        f.jobId,
        users.map((u) => u.id),
      ),
    ).toHaveProperty('size', 5);

    // Nothing changed: an incremental cycle has nothing to do; a full one skips with no_change.
    const incremental = await runJob(f);
    expect(incremental.counts.processed).toBe(0);
    const full = await runJob(f, { mode: 'full' });
    expect(full.counts).toMatchObject({ processed: 5, skipped: 5 });
  });

  it('a full cycle matches unlinked users by one filter request per batch, and falls back per user when the answer cannot be relied on', async () => {
    await addUsers(5);
    const filterRequests = () =>
      proxy.seen.filter((r) => r.method === 'GET' && r.url.includes('filter=')).map((r) => r.url);
    const task = await runJob(f);
    expect(task.counts).toMatchObject({ processed: 5, created: 5, failed: 0 });
    const batched = filterRequests();
    expect(batched).toHaveLength(1);
    expect(decodeURIComponent(batched[0]!.replace(/\+/g, ' '))).toContain(
      'userName eq "user0@example.com" or userName eq "user1@example.com"',
    );
    const [created] = await allEntries(f, { taskId: [task.id], action: ['create'] });
    const detail = (await f.store.getEntry(created!.changeId))!;
    expect(detail.steps?.find((s) => s.name === 'matching')?.description).toMatch(
      /looked up with other users in one request/,
    );

    // A target whose answer holds a resource with none of the values (it ignored the filter):
    // the batch is not trusted and every user is matched alone, so nothing is duplicated.
    await server.reset();
    proxy.clear();
    await f.close();
    f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN);
    await addUsers(5);
    proxy.inject({
      method: 'GET',
      path: '/Users?',
      times: 1,
      fault: {
        kind: 'respond',
        status: 200,
        headers: { 'content-type': 'application/scim+json' },
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: 1,
          startIndex: 1,
          itemsPerPage: 1,
          Resources: [{ id: 'x', userName: 'stranger@example.com' }],
        },
      },
    });
    const again = await runJob(f);
    expect(again.counts).toMatchObject({ processed: 5, created: 5, failed: 0 });
    expect(filterRequests()).toHaveLength(6);
    expect([...(await targetUsers(server)).values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('incremental cycles push hub changes since the watermark: update, disable, delete', async () => {
    const users = await addUsers(3);
    await runJob(f);
    await f.store.directory.updateUser(users[0]!.id, { familyName: 'Changed' });
    await f.store.directory.setUserActive(users[1]!.id, false);
    await f.store.directory.deleteUser(users[2]!.id);
    // Created and deleted between two runs: never provisioned, nothing to do in the target.
    const brief = await f.store.directory.createUser({ userName: 'brief@example.com' });
    await f.store.directory.deleteUser(brief.id);
    const task = await runJob(f);
    expect(task.parameters).toMatchObject({ mode: 'incremental' });
    const entries = await allEntries(f, { taskId: [task.id] });
    const by = (id: string) => entries.find((e) => e.sourceIdentity?.id === id)!;
    expect(by(users[0]!.id)).toMatchObject({ action: 'update', status: 'success' });
    expect(by(users[0]!.id).modifiedProperties).toEqual([
      { name: 'name.familyName', oldValue: 'N0', newValue: 'Changed' },
    ]);
    expect(by(users[1]!.id)).toMatchObject({ action: 'disable', status: 'success' });
    expect(by(users[2]!.id)).toMatchObject({ action: 'disable', status: 'success' });
    expect(by(users[2]!.id).steps?.slice(0, 2)).toEqual([
      {
        name: 'import',
        status: 'skipped',
        description: `Hub user ${users[2]!.id} no longer exists`,
      },
      { name: 'scoping', status: 'success', description: 'Provisioned by this job before' },
    ]);
    const never = entries.find((e) => e.steps?.[0]?.description?.includes(brief.id))!;
    expect(never).toMatchObject({
      action: 'delete',
      status: 'skipped',
      skipReason: 'no_change',
      reason: expect.stringMatching(/^Not in the hub and never provisioned to /),
    });
    expect(never.steps?.map((st) => [st.name, st.status])).toEqual([
      ['import', 'skipped'],
      ['scoping', 'skipped'],
    ]);
    const anchor = await f.store.directory.anchor(f.jobId, users[1]!.id);
    const raw = await server.raw('Users', anchor!);
    expect(raw).toMatchObject({ active: false, name: { familyName: 'N1' } });
  });

  it('after 429, 500, timeouts and dropped connections stop, every user ends provisioned exactly once', async () => {
    await addUsers(12);
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 2,
      fault: { kind: 'respond', status: 429, headers: { 'retry-after': '5' } },
    });
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 2,
      fault: { kind: 'respond', status: 500 },
    });
    proxy.inject({ method: 'POST', path: '/Users', times: 1, fault: { kind: 'drop' } });
    // Forwarded late: the target creates the user, but the answer comes after the timeout.
    proxy.inject({ method: 'POST', path: '/Users', times: 1, fault: { kind: 'delay', ms: 1500 } });
    const task = await runJob(f);
    expect(task.status).toBe('partially_succeeded');
    const failures = (await allEntries(f, { taskId: [task.id] })).filter(
      (e) => e.status === 'failure',
    );
    // The dropped connection is a network failure (WebExceptionProtocolError), also transient.
    expect(failures.map((e) => e.errorCode).sort()).toEqual([
      'InternalServerError',
      'InternalServerError',
      'Timeout',
      'TooManyRequests',
      'TooManyRequests',
      'WebExceptionProtocolError',
    ]);
    for (const e of failures) {
      expect(e).toMatchObject({
        attempt: 1,
        maxAttempts: 3,
        errorCategory: 'transient',
      });
      expect(Date.parse(e.retryAt!)).toBeGreaterThan(Date.parse(e.time));
    }
    const throttled = failures.find((e) => e.errorCode === 'TooManyRequests')!;
    // Retry-After (5 s) is longer than the first backoff (1 s): it wins.
    expect(Date.parse(throttled.retryAt!) - Date.parse(throttled.time)).toBeGreaterThanOrEqual(
      4900,
    );
    await new Promise((r) => setTimeout(r, 1600)); // let the late create land in the target
    proxy.clear();
    f.advance(10_000);
    expect(await f.engine.retryDue()).toBe(6);
    expect(await f.engine.retryDue()).toBe(0);
    const counts = await targetUsers(server);
    expect(counts.size).toBe(12);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const after = (await f.store.getTask(task.id))!;
    expect(after).toMatchObject({ status: 'succeeded' });
    expect(after.counts).toMatchObject({ processed: 12, failed: 0, resolved: 6 });
    // No stored payload holds the token.
    const stored = await allEntries(f);
    for (const e of stored)
      expect(JSON.stringify(await f.store.getEntry(e.changeId))).not.toContain(TOKEN);
  });

  it('exhausted retries become a permanent failure', async () => {
    await addUsers(1);
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 10,
      fault: { kind: 'respond', status: 503 },
    });
    const task = await runJob(f);
    for (let i = 0; i < 4; i++) {
      f.advance(60_000);
      await f.engine.retryDue();
    }
    const attempts = await allEntries(f, { jobId: [f.jobId] });
    expect(
      attempts.map((e) => [e.attempt, e.errorCategory, e.retryAt !== undefined]).reverse(),
    ).toEqual([
      [1, 'transient', true],
      [2, 'transient', true],
      [3, 'permanent', false],
    ]);
    expect(attempts[0]!.reason).toMatch(/gave up after 3 of 3 attempts/);
    expect((await f.store.getTask(task.id))!.status).toBe('failed');
  });

  it('retry now, confirm and re-trigger by hand, without duplicates', async () => {
    const users = await addUsers(2);
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 2,
      fault: {
        kind: 'respond',
        status: 400,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '400',
          scimType: 'invalidValue',
          detail: 'bad',
        },
      },
    });
    const task = await runJob(f);
    const [a, b] = (await allEntries(f, { taskId: [task.id] })).filter(
      (e) => e.status === 'failure',
    );
    expect(a!.errorCategory).toBe('permanent');
    expect(a!.retryAt).toBeUndefined();

    const retried = await f.engine.retryEntry(a!.changeId, {
      manual: true,
      actor: { type: 'user', id: 'ops' },
    });
    expect(retried).toMatchObject({
      status: 'success',
      action: 'create',
      attempt: 2,
      operationId: a!.operationId,
      source: 'retry_after_modification',
      triggerMethod: 'manual',
    });
    expect((await f.store.getEntry(a!.changeId))!.resolvedBy).toBe(retried.changeId);
    await expect(f.engine.retryEntry(a!.changeId, { manual: true })).rejects.toThrow(
      /already resolved/,
    );

    const confirmed = await f.engine.confirmEntry(b!.changeId, { type: 'user', id: 'ops' });
    expect(confirmed).toMatchObject({
      action: 'confirm',
      status: 'success',
      operationId: b!.operationId,
    });
    expect((await f.store.getTask(task.id))!.status).toBe('succeeded');

    // Re-trigger: the task's work again as a new linked task; the confirmed user is matched or created once.
    const { done } = await f.runner.start({
      jobId: f.jobId,
      triggerMethod: 'manual',
      trigger: 're_trigger',
      parentTaskId: task.id,
      mode: 'full',
    });
    const again = await done;
    expect(again).toMatchObject({ parentTaskId: task.id, status: 'succeeded' });
    expect([...(await targetUsers(server)).values()]).toEqual([1, 1]);
    expect(users).toHaveLength(2);
  });

  it('provision on demand: a dry run records what would be sent and sends nothing', async () => {
    const [u] = await addUsers(1);
    const dry = await f.engine.provisionOnDemand(f.jobId, u!.userName, { dryRun: true });
    expect(dry).toMatchObject({
      status: 'skipped',
      action: 'create',
      taskId: null,
      request: { method: 'POST' },
    });
    expect((dry.request?.body as { userName: string }).userName).toBe(u!.userName);
    expect((await targetUsers(server)).size).toBe(0);
    const real = await f.engine.provisionOnDemand(f.jobId, u!.id, { dryRun: false });
    expect(real).toMatchObject({ status: 'success', action: 'create', response: { status: 201 } });
    expect((await targetUsers(server)).size).toBe(1);
  });

  it('single changes are pushed at once as entries without a task', async () => {
    const [u] = await addUsers(1);
    await runJob(f);
    await f.store.directory.updateUser(u!.id, { displayName: 'Renamed' });
    expect(await f.engine.pushChanges()).toBe(1);
    const [latest] = await allEntries(f, { jobId: [f.jobId] });
    expect(latest).toMatchObject({
      taskId: null,
      source: 'single_change',
      triggerMethod: 'automatic',
      action: 'update',
      status: 'success',
    });
    expect(await f.engine.pushChanges()).toBe(0);
  });

  it('quarantines a job whose failures pass the threshold, and lifts it after a healthy probe', async () => {
    await addUsers(4);
    await f.store.config.updateJob(f.jobId, { health: { failureShare: 0.5, minFailures: 2 } });
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 4,
      fault: { kind: 'respond', status: 401 },
    });
    await runJob(f);
    const job = (await f.store.config.getJob(f.jobId))!;
    expect(job.state).toBe('quarantined');
    expect(job.stateReason).toMatch(/4 of 4 objects \(100%\) failed/);
    expect(await f.engine.probeQuarantined()).toBe(0);
    f.advance(6 * 60_000);
    expect(await f.engine.probeQuarantined()).toBe(1);
    expect((await f.store.config.getJob(f.jobId))!.state).toBe('active');
  });
});
