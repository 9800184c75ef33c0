import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { createOutbound, createRunner } from '../src/main.ts';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';
import { MAPPINGS } from './helpers/outbound-fixture.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/provlog.js', import.meta.url).pathname;
const TOKEN = 'cli-outbound-token-123456';

let dir: string;
let server: ScimTestServer;
let proxy: FaultProxy;
let jobId: string;
let taskId: string;
let failures: string[];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--data', dir], {
      env: { ...process.env, PROVLOG_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withStore<T>(fn: (store: SqliteLogStore) => Promise<T>): Promise<T> {
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const entryCount = () =>
  withStore(async (s) => (await s.listEntries({}, { limit: 1000 })).items.length);
const targetUsers = async () =>
  (
    (await (
      await fetch(`${server.baseUrl}/Users`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { totalResults: number }
  ).totalResults;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-cli-outbound-'));
  server = await startScimServer({ tokens: [TOKEN] });
  proxy = await startFaultProxy(server.origin);
  await withStore(async (store) => {
    const system = await store.config.createSystem({
      name: 'Target App',
      type: 'scim',
      settings: { baseUrl: `${proxy.origin}/scim/v2`, auth: { type: 'bearer' }, timeoutMs: 2000 },
      secrets: { token: TOKEN },
    });
    const job = await store.config.createJob({
      name: 'Push',
      systemId: system.id,
      direction: 'outbound',
      objectTypes: ['user'],
      mappings: MAPPINGS,
      matchingAttribute: 'userName',
    });
    jobId = job.id;
    await store.config.setJobState(job.id, 'active');
    for (const n of ['ada', 'bob'])
      await store.directory.createUser({ userName: `${n}@example.com`, displayName: n });
    proxy.inject({
      method: 'POST',
      path: '/Users',
      times: 2,
      fault: { kind: 'respond', status: 400, body: { status: '400', detail: 'rejected' } },
    });
    const outbound = createOutbound(store);
    const { done } = await createRunner(store, outbound).start({
      jobId,
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const task = await done;
    await outbound.deps.clients.close();
    proxy.clear();
    taskId = task.id;
    failures = (await store.listEntries({ taskId: [task.id] }, { limit: 10 })).items
      .filter((e) => e.status === 'failure')
      .map((e) => e.changeId);
    // A third user, never pushed: for provision on demand.
    await store.directory.createUser({ userName: 'cyd@example.com', displayName: 'cyd' });
  });
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('provlog CLI: outbound actions', () => {
  it('refuses bad input with exit code 2 and a clear message, changing nothing', async () => {
    expect(failures).toHaveLength(2);
    const before = await entryCount();
    const blank = await cli(['entries', 'retry', ' ']);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('CHANGEID must be 1 to 200 printable characters');
    const missing = await cli(['entries', 'confirm']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'changeId'/);
    const actor = await cli(['entries', 'confirm', failures[0]!, '--actor', '']);
    expect(actor.code).toBe(2);
    expect(actor.stderr).toContain('--actor must be');
    const unknown = await cli(['entries', 'retry', 'no-such-change']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No entry with changeId "no-such-change"');
    const task = await cli(['tasks', 'retrigger', 'no-such-task']);
    expect(task.code).toBe(2);
    expect(task.stderr).toMatch(/task/i);
    const job = await cli(['jobs', 'provision', 'no-such-job', 'cyd@example.com']);
    expect(job.code).toBe(2);
    expect(job.stderr).toContain('No job "no-such-job"');
    const object = await cli(['jobs', 'provision', jobId, 'nobody@example.com', '--dry-run']);
    expect(object.code).toBe(2);
    expect(object.stderr).toContain('nobody@example.com');
    const extra = await cli(['jobs', 'provision', jobId]);
    expect(extra.code).toBe(2);
    expect(await entryCount()).toBe(before);
    expect(await targetUsers()).toBe(0);
  }, 120_000);

  it('keeps `provlog entries --status failure` a listing', async () => {
    const list = await cli(['entries', '--status', 'failure', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(
      JSON.parse(list.stdout)
        .items.map((e: { changeId: string }) => e.changeId)
        .sort(),
    ).toEqual([...failures].sort());
  });

  it('retries and confirms failed entries, provisions on demand, re-triggers a task', async () => {
    const retried = await cli(['entries', 'retry', failures[0]!, '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({
      status: 'success',
      action: 'create',
      attempt: 2,
      triggerMethod: 'manual',
    });
    const again = await cli(['entries', 'retry', failures[0]!]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already resolved');

    const confirmed = await cli(['entries', 'confirm', failures[1]!, '--actor', 'Olga Ops']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/success\s+confirm user/);
    const stored = await withStore(
      async (s) => (await s.listEntries({ action: ['confirm'] }, { limit: 5 })).items,
    );
    expect(stored[0]).toMatchObject({ actor: { id: 'Olga Ops' } });

    const dry = await cli(['jobs', 'provision', jobId, 'cyd@example.com', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run');
    const pushed = await cli(['jobs', 'provision', jobId, 'cyd@example.com', '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ status: 'success', action: 'create' });
    const retrigger = await cli(['tasks', 'retrigger', taskId, '--json']);
    expect(retrigger.code, retrigger.stderr).toBe(0);
    const t = JSON.parse(retrigger.stdout);
    expect(t).toMatchObject({ parentTaskId: taskId, source: 're_trigger', status: 'succeeded' });

    // ada by the retry, cyd on demand, bob (confirmed by hand) by the re-trigger's full cycle.
    expect(await targetUsers()).toBe(3);
  }, 120_000);
});
