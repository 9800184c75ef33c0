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
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, PROVLOG_URL: '' },
    });
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
      normalizeEntry(
        entry('e1', { taskId: 'T1', targetIdentity: { id: 'x1', displayName: 'Ольга Иванова' } }),
      ),
      normalizeEntry(
        entry('e2', {
          taskId: 'T1',
          minutes: 1,
          status: 'failure',
          errorCode: 'Timeout',
          objectType: 'account',
        }),
      ),
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
    expect(JSON.parse(json.stdout).items.map((e: { changeId: string }) => e.changeId)).toEqual([
      'e1',
    ]);
  });

  it('lists tasks and shows one with its counts', async () => {
    const list = await cli(['tasks', '--data', dir, '--json']);
    expect(JSON.parse(list.stdout).items[0]).toMatchObject({
      id: 'T1',
      status: 'partially_succeeded',
      statusDescription: '1 account failed',
    });
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

describe('provlog demo and serve', () => {
  it('fills a store with demo history that answers the filters', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'provlog-demo-'));
    try {
      const out = await cli(['demo', '--data', demoDir, '--entries', '3000', '--json']);
      expect(out.code, out.stderr).toBe(0);
      const result = JSON.parse(out.stdout);
      expect(result.entries).toBeGreaterThanOrEqual(3000);
      expect(result.rejected).toBe(0);
      const failures = await cli([
        'entries',
        '--data',
        demoDir,
        '--status',
        'failure',
        '--json',
        '--limit',
        '5',
      ]);
      const items = JSON.parse(failures.stdout).items as Array<{
        status: string;
        errorCode: string;
      }>;
      expect(items.length).toBe(5);
      expect(items.every((e) => e.status === 'failure' && e.errorCode)).toBe(true);
      const bad = await cli(['demo', '--data', demoDir, '--entries', 'lots']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--entries');
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  });

  it('serves the API with demo data loaded once', async () => {
    const serveDir = mkdtempSync(join(tmpdir(), 'provlog-serve-'));
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--data', serveDir, '--demo'],
      {
        env: { ...process.env, PROVLOG_LOG_LEVEL: 'silent' },
      },
    );
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /serving the console and API on (http:\/\/\S+)/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      expect(await (await fetch(`${address}/healthz`)).json()).toEqual({
        status: 'ok',
        store: 'sqlite',
      });
      const tasks = (await (await fetch(`${address}/api/v1/tasks?limit=5`)).json()) as {
        items: unknown[];
      };
      expect(tasks.items.length).toBe(5);
      const page = await fetch(`${address}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(serveDir, { recursive: true, force: true });
    }
  });
});
