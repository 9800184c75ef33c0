import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { JobRunner } from '../src/engine/job-runner.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/provlog.js', import.meta.url).pathname;
let dir: string;
let jobId: string;

const CSV = [
  '\ufeffemail,first,last,dept,status',
  'ann@x.com,Ann,Lee,Sales,active',
  '"bob@x.com","Bob","O\'Neil, Jr.",IT,active',
  'cat@x.com,Cat,Ng,HR,inactive',
  ',Nobody,Here,IT,active',
  'ann@x.com,Ann,Dup,Sales,active',
  'dan@x.com,Dan,"Multi',
  'Line",Legal,active',
].join('\r\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-import-'));
  writeFileSync(join(dir, 'users.csv'), CSV);
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  const system = await store.config.createSystem({ name: 'HR CSV', type: 'csv' });
  const job = await store.config.createJob({
    name: 'HR users',
    systemId: system.id,
    direction: 'inbound',
    objectTypes: ['user'],
    matchingAttribute: 'userName',
    mappings: [
      { target: 'userName', source: 'email', required: true },
      { target: 'displayName', expression: 'first + " " + last' },
      { target: 'department', source: 'dept' },
    ],
    scoping: [{ attribute: 'status', operator: 'equals', value: 'active' }],
    deprovision: 'disable',
  });
  jobId = job.id;
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV import through an inbound job', () => {
  it('explains every row of the file in one task, with line numbers for the bad ones', async () => {
    const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
    try {
      const runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
      const { done } = await runner.start({
        jobId,
        file: join(dir, 'users.csv'),
        triggerMethod: 'manual',
        trigger: 'manual_operation',
      });
      const task = await done;
      expect(task).toMatchObject({
        event: 'user_csv_processed_with_errors',
        status: 'partially_succeeded',
        parameters: { file: 'users.csv' },
      });
      expect(task.counts).toMatchObject({ processed: 6, created: 3, skipped: 1, failed: 2 });
      const failures = (
        await store.listEntries({ taskId: [task.id], status: ['failure'] }, { limit: 10 })
      ).items;
      expect(failures.map((e) => e.errorCode).sort()).toEqual([
        'DuplicateSourceEntries',
        'MandatoryFieldsMissing',
      ]);
      expect(failures.every((e) => /line \d+/.test(e.reason ?? ''))).toBe(true);
      expect((await store.directory.findUserByUserName('bob@x.com'))!.displayName).toBe(
        "Bob O'Neil, Jr.",
      );
      expect((await store.directory.findUserByUserName('dan@x.com'))!.displayName).toBe(
        'Dan Multi\r\nLine',
      );
    } finally {
      await store.close();
    }
  });

  it('runs from the CLI: a second import changes nothing and says "no change"; a missing file fails the task', async () => {
    const again = await run(process.execPath, [
      BIN,
      'import',
      join(dir, 'users.csv'),
      '--job',
      jobId,
      '--data',
      dir,
      '--json',
    ]);
    const { task } = JSON.parse(again.stdout);
    expect(task.counts).toMatchObject({ created: 0, updated: 0, skipped: 4 });
    const missing = await run(process.execPath, [
      BIN,
      'import',
      join(dir, 'nope.csv'),
      '--job',
      jobId,
      '--data',
      dir,
      '--json',
    ]).catch((e: { stdout: string; code: number }) => e);
    expect((missing as { code: number }).code).toBe(1);
    expect(JSON.parse((missing as { stdout: string }).stdout).task).toMatchObject({
      status: 'failed',
      event: 'user_csv_failed',
      errorCode: 'CsvUnreadable',
    });
    const jobs = await run(process.execPath, [BIN, 'jobs', '--data', dir, '--json']);
    expect(JSON.parse(jobs.stdout).items.map((j: { id: string }) => j.id)).toEqual([jobId]);
    const systems = await run(process.execPath, [BIN, 'systems', '--data', dir]);
    expect(systems.stdout).toContain('HR CSV');
    const unknownJob = await run(process.execPath, [
      BIN,
      'import',
      join(dir, 'users.csv'),
      '--job',
      'nope',
      '--data',
      dir,
    ]).catch((e: { stderr: string; code: number }) => e);
    expect((unknownJob as { code: number }).code).toBe(2);
    expect((unknownJob as { stderr: string }).stderr).toContain('No job');
  });
});

describe("a system's trace level", () => {
  it('keeps only what it asks for, while the task still counts every object', async () => {
    const store = new SqliteLogStore({ file: ':memory:' });
    try {
      const system = await store.config.createSystem({
        name: 'Quiet HR',
        type: 'csv',
        traceLevel: 'changes',
      });
      const job = await store.config.createJob({
        name: 'Quiet users',
        systemId: system.id,
        direction: 'inbound',
        objectTypes: ['user'],
        matchingAttribute: 'userName',
        mappings: [
          { target: 'userName', source: 'email', required: true },
          { target: 'displayName', expression: 'first + " " + last' },
          { target: 'department', source: 'dept' },
        ],
        scoping: [{ attribute: 'status', operator: 'equals', value: 'active' }],
      });
      const runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
      const runOnce = async () =>
        (
          await runner.start({
            jobId: job.id,
            file: join(dir, 'users.csv'),
            triggerMethod: 'manual',
            trigger: 'manual_operation',
          })
        ).done;
      const entriesOf = async (taskId: string) =>
        (await store.listEntries({ taskId: [taskId] }, { limit: 100 })).items;

      const first = await runOnce();
      expect(first.counts).toMatchObject({ processed: 6, created: 3, skipped: 1, failed: 2 });
      expect(await entriesOf(first.id)).toHaveLength(6);

      // Again: the three users need no change — counted, not logged.
      const second = await runOnce();
      expect(second.counts).toMatchObject({ processed: 6, skipped: 4, failed: 2 });
      expect(second.untraced).toEqual({ skipped: 3 });
      const kept = await entriesOf(second.id);
      expect(kept).toHaveLength(3);
      expect(kept.some((e) => e.skipReason === 'no_change')).toBe(false);
      expect(kept.some((e) => e.skipReason === 'out_of_scope')).toBe(true);

      // Failures only: out-of-scope skips and every success go too, the failures stay.
      await store.config.updateSystem(system.id, { traceLevel: 'failures' });
      const third = await runOnce();
      expect(third.counts).toMatchObject({ processed: 6, skipped: 4, failed: 2 });
      expect(third.status).toBe('partially_succeeded');
      expect((await entriesOf(third.id)).map((e) => e.status)).toEqual(['failure', 'failure']);
    } finally {
      await store.close();
    }
  });
});
