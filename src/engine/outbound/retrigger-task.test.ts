import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../../store/sqlite/sqlite-log-store.ts';
import { JobRunner } from '../job-runner.ts';
import { retriggerTask } from './retrigger-task.ts';

let dir: string;
let store: SqliteLogStore;
let runner: JobRunner;
let jobId: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-retrigger-'));
  store = new SqliteLogStore({ file: ':memory:' });
  runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
  writeFileSync(join(dir, 'default.csv'), 'email\nd@x.com\n');
  const system = await store.config.createSystem({
    name: 'HR CSV',
    type: 'csv',
    settings: { path: join(dir, 'default.csv') },
  });
  jobId = (
    await store.config.createJob({
      name: 'HR',
      systemId: system.id,
      direction: 'inbound',
      objectTypes: ['user'],
      matchingAttribute: 'userName',
      mappings: [{ target: 'userName', source: 'email', required: true }],
    })
  ).id;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function finished(taskId: string) {
  for (let i = 0; i < 200; i++) {
    const t = await store.getTask(taskId);
    if (t && t.status !== 'running') return t;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('task did not finish');
}

const userNames = async () =>
  (await store.directory.listUsers({}, { limit: 100 })).items.map((u) => u.userName).sort();

describe('re-trigger of an inbound CSV task', () => {
  it('re-reads the file the task was given, not the system settings.path', async () => {
    const upload = join(dir, 'upload.csv');
    writeFileSync(upload, 'email\na@x.com\nb@x.com\n');
    const { done } = await runner.start({
      jobId,
      file: upload,
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const first = await done;
    expect(first.parameters).toMatchObject({ file: 'upload.csv', path: upload });
    // The file was corrected since: the re-trigger must read it, not default.csv.
    writeFileSync(upload, 'email\na@x.com\nb@x.com\nc@x.com\n');
    const { taskId } = await retriggerTask({ log: store, runner }, first.id);
    const again = await finished(taskId);
    expect(again).toMatchObject({
      parentTaskId: first.id,
      source: 're_trigger',
      parameters: { file: 'upload.csv', path: upload },
    });
    expect(again.counts).toMatchObject({ created: 1 });
    expect(await userNames()).toEqual(['a@x.com', 'b@x.com', 'c@x.com']);
  });

  it('a task that could not read its file is re-triggered on the same file once it exists', async () => {
    const later = join(dir, 'later.csv');
    const { done } = await runner.start({
      jobId,
      file: later,
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
    const failed = await done;
    expect(failed.status).not.toBe('succeeded');
    expect(failed.parameters).toMatchObject({ path: later });
    writeFileSync(later, 'email\nl@x.com\n');
    const again = await finished((await retriggerTask({ log: store, runner }, failed.id)).taskId);
    expect(again.counts).toMatchObject({ created: 1 });
    expect(await userNames()).toEqual(['l@x.com']);
  });
});
