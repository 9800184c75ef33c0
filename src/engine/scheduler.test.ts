import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { ingestRecords } from '../ingest/ingest-records.ts';
import { JobRunError, JobRunner } from './job-runner.ts';
import { Scheduler } from './scheduler.ts';
import { closeOrphanedTasks } from './recover-orphans.ts';

let dir: string;
let store: SqliteLogStore;
let runner: JobRunner;
let jobId: string;
const quiet = { info: () => {}, warn: () => {} };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-sched-'));
  const rows = Array.from({ length: 3000 }, (_, i) => `u${i}@x.com,User ${i}`);
  writeFileSync(join(dir, 'users.csv'), ['email,name', ...rows].join('\n'));
  store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  const system = await store.config.createSystem({
    name: 'Nightly CSV',
    type: 'csv',
    settings: { path: join(dir, 'users.csv') },
  });
  const job = await store.config.createJob({
    name: 'Nightly users',
    systemId: system.id,
    direction: 'inbound',
    objectTypes: ['user'],
    matchingAttribute: 'userName',
    mappings: [
      { target: 'userName', source: 'email', required: true },
      { target: 'displayName', source: 'name' },
    ],
    schedule: '* * * * * *',
  });
  jobId = job.id;
  runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('job runs', () => {
  it('never runs a job twice at once', async () => {
    const first = await runner.start({
      jobId,
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const second = await runner
      .start({ jobId, triggerMethod: 'manual', trigger: 'manual_operation' })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(JobRunError);
    expect((second as JobRunError).kind).toBe('busy');
    expect((second as Error).message).toContain(first.taskId);
    expect((await first.done).counts.created).toBe(3000);
    const third = await runner.start({
      jobId,
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    expect((await third.done).counts.skipped).toBe(3000);
  });

  it('runs a scheduled job on its cron, automatically', async () => {
    const scheduler = new Scheduler({ jobs: store.config, runner, log: quiet });
    await scheduler.reload();
    expect(Object.keys(scheduler.nextRuns())).toEqual([jobId]);
    try {
      const task = await waitFor(
        async () => (await store.listTasks({ jobId: [jobId] }, { limit: 1 })).items[0],
        'a scheduled task',
      );
      expect(task).toMatchObject({ triggerMethod: 'automatic', source: 'scheduled_sync' });
    } finally {
      scheduler.stop();
    }
    await store.config.setJobState(jobId, 'paused');
    await scheduler.reload();
    expect(scheduler.nextRuns()).toEqual({});
  });

  it('closes tasks left running by a crash as failed, leaving external engines alone', async () => {
    const started = new Date(Date.now() - 60_000).toISOString();
    const base = {
      direction: 'inbound',
      triggerModule: 'identity_provider',
      triggerModuleName: 'x',
      triggerMethod: 'automatic',
      startedAt: started,
    } as const;
    await ingestRecords(store, [
      { kind: 'task', index: 0, value: { ...base, id: 'ours', jobId } },
      { kind: 'task', index: 1, value: { ...base, id: 'theirs', jobId: 'external.job' } },
    ]);
    expect(await closeOrphanedTasks({ log: store, jobs: store.config })).toEqual(['ours']);
    expect(await store.getTask('ours')).toMatchObject({
      status: 'failed',
      errorCode: 'TaskOrphaned',
    });
    expect((await store.getTask('theirs'))!.status).toBe('running');
  });
});
