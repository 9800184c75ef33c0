import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';
import { JobRunner } from '../engine/job-runner.ts';

let dir: string;
let store: SqliteLogStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-runs-'));
  store = new SqliteLogStore({ file: ':memory:' });
  const runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
  app = await buildApp({ store, directory: store.directory, config: store.config, runner });
});
afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload?: object) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

async function finished(taskId: string) {
  for (let i = 0; i < 100; i++) {
    const t = (await app.inject({ url: `/api/v1/tasks/${taskId}` })).json();
    if (t.status !== 'running') return t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('task did not finish');
}

describe('running jobs over the API', () => {
  it('runs a CSV job, holds mass deprovisioning, and carries it out when an operator approves', async () => {
    const file = join(dir, 'users.csv');
    writeFileSync(file, 'email,name\na@x.com,A\nb@x.com,B\nc@x.com,C\n');
    const system = (
      await post('/systems', { name: 'HR CSV', type: 'csv', settings: { path: file } })
    ).json();
    const job = (
      await post('/jobs', {
        name: 'HR',
        systemId: system.id,
        direction: 'inbound',
        objectTypes: ['user'],
        matchingAttribute: 'userName',
        mappings: [{ target: 'userName', source: 'email', required: true }],
        deprovision: 'delete',
        deletionThreshold: 1,
      })
    ).json();
    const first = await post(`/jobs/${job.id}/run`);
    expect(first.statusCode).toBe(202);
    expect((await finished(first.json().taskId)).counts.created).toBe(3);

    writeFileSync(file, 'email,name\n');
    const second = await post(`/jobs/${job.id}/run`);
    const held = await finished(second.json().taskId);
    expect(held.counts.pending).toBe(3);
    expect((await store.directory.listUsers({}, { limit: 10 })).items).toHaveLength(3);

    const approve = await post(`/jobs/${job.id}/approve-deletions`, {
      approver: { id: 'u-1', displayName: 'Ada Admin' },
    });
    expect(approve.statusCode).toBe(200);
    expect(approve.json().approved).toBe(3);
    expect((await store.directory.listUsers({}, { limit: 10 })).items).toHaveLength(0);
    expect((await store.getTask(approve.json().taskId))!.counts.deleted).toBe(3);
    expect(
      (await post(`/jobs/${job.id}/approve-deletions`, { approver: { id: 'u-1' } })).json(),
    ).toEqual({ approved: 0, taskId: null });
  });

  it('answers unknown jobs and bad bodies with problems', async () => {
    expect((await post('/jobs/nope/run')).statusCode).toBe(404);
    expect((await post('/jobs/nope/approve-deletions', { approver: { id: 'x' } })).statusCode).toBe(
      404,
    );
    expect((await post('/jobs/nope/approve-deletions', {})).statusCode).toBe(400);
  });
});
