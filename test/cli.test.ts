import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { normalizeEntry } from '../src/model/normalize.ts';
import { entry, task } from './helpers/entries.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/provlog.js', import.meta.url).pathname;
let dir: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, PROVLOG_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-cli-'));
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  await store.ingest({
    tasks: [task('T1', { event: 'account_synchronization' })],
    entries: [
      normalizeEntry(entry('e1', { taskId: 'T1', targetIdentity: { id: 'x1', displayName: 'Ольга Иванова' } })),
      normalizeEntry(entry('e2', { taskId: 'T1', minutes: 1, status: 'failure', errorCode: 'Timeout', objectType: 'account' })),
    ],
  });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provlog CLI', () => {
  it('lists entries with the API filters, as a table or as JSON', async () => {
    const table = await cli(['entries', '--data', dir, '--status', 'failure']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Timeout');
    expect(table.stdout).not.toContain('e1');
    const json = await cli(['entries', '--data', dir, '--identity', 'ольга', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).items.map((e: { changeId: string }) => e.changeId)).toEqual(['e1']);
  });

  it('lists tasks and shows one with its counts', async () => {
    const list = await cli(['tasks', '--data', dir, '--json']);
    expect(JSON.parse(list.stdout).items[0]).toMatchObject({ id: 'T1', status: 'partially_succeeded', statusDescription: '1 account failed' });
    const one = await cli(['tasks', 'T1', '--data', dir]);
    expect(one.stdout).toContain('processed 2');
    expect(one.stdout).toContain('account_synchronization');
  });

  it('explains bad filters and exits with 2', async () => {
    const bad = await cli(['entries', '--data', dir, '--status', 'exploded']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('status: unknown value "exploded"');
    const missing = await cli(['tasks', 'nope', '--data', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Task not found');
  });
});
