import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/build-app.ts';
import { registerConsole } from '../src/api/console.ts';
import { loadDemo } from '../src/ingest/load-demo.ts';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { chromiumAvailable, launchChromium } from './helpers/chromium.ts';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.ts';
import { outboundFixture } from './helpers/outbound-fixture.ts';
import { startScimServer, type ScimTestServer } from './helpers/scim-server.ts';

/** Screenshots of each page, kept as test artefacts (gitignored). */
const SHOTS = 'test-results/console';
const TOKEN = 'console-browser-token-4321';
const run = chromiumAvailable();

describe.runIf(run)('the web console in Chromium', () => {
  let server: ScimTestServer;
  let proxy: FaultProxy;
  let f: Awaited<ReturnType<typeof outboundFixture>>;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;

  const finished = async (taskId: string) => {
    for (;;) {
      const t = await f.store.getTask(taskId);
      if (t?.endedAt) return t;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const runJob = async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/jobs/${f.jobId}/run` });
    return res.json<{ taskId: string }>().taskId;
  };
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureConsoleBuilt({ quiet: true });
    server = await startScimServer({ tokens: [TOKEN] });
    proxy = await startFaultProxy(server.origin);
    // A generous timeout: the refresh test holds one request for seconds on purpose.
    f = await outboundFixture(`${proxy.origin}/scim/v2`, TOKEN, {}, { timeoutMs: 20_000 });
    await loadDemo(f.store, { now: Date.now(), days: 7, seed: 3, entries: 3000 });
    app = await buildApp({
      store: f.store,
      directory: f.store.directory,
      config: f.store.config,
      runner: f.runner,
      outbound: f.engine,
      extend: (a) => registerConsole(a),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await f?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('shows the dashboard with links into the log', async () => {
    await page.goto(base);
    await page.getByRole('heading', { name: 'Last 7 days' }).waitFor();
    await page.getByTestId('totals').getByText('Failed').waitFor();
    await shot('dashboard');
    await page
      .getByTestId('totals')
      .getByRole('link', { name: /Failed/ })
      .click();
    await page.waitForURL(/\/logs\?.*status=failure/);
    await page.getByTestId('log-row').first().waitFor();
  });

  it('filters the log from values present in the data, and the URL reproduces the view', async () => {
    await page.goto(`${base}/logs`);
    await page.getByTestId('log-row').first().waitFor();
    const status = page.locator('select[name=status]');
    const offered = await status.locator('option').allTextContents();
    expect(offered[0]).toBe('All');
    expect(offered.some((o) => o.startsWith('Failure'))).toBe(true);
    await status.selectOption('failure');
    await page.waitForURL(/status=failure/);
    await expect
      .poll(() => rowStatuses(page))
      .toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x.startsWith('Failure')));
    await page.reload();
    await expect.poll(() => page.locator('select[name=status]').inputValue()).toBe('failure');
    await shot('log');
  });

  it('opens an entry, retries a failure with a confirmation and shows the result', async () => {
    await f.store.directory.createUser({
      userName: 'ada@example.com',
      displayName: 'Ada Lovelace',
    });
    proxy.inject({
      fault: { kind: 'respond', status: 400, body: { detail: 'bad' } },
      method: 'POST',
      path: '/Users',
    });
    await finished(await runJob());
    proxy.clear();

    await page.goto(`${base}/logs?window=24h&identity=ada&status=failure`);
    await page.getByTestId('log-row').first().click();
    const pane = page.getByRole('complementary', { name: 'Entry details' });
    await pane.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await pane.getByRole('tab', { name: 'Troubleshooting & recommendations' }).waitFor();
    await expect.poll(() => pane.getByText('Recommendation').count()).toBeGreaterThan(0);
    for (const tab of ['Steps', 'Modified properties', 'Summary', 'Request & response']) {
      await pane.getByRole('tab', { name: tab }).click();
    }
    await shot('entry');
    await pane.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Retry this change now?').waitFor();
    await dialog.getByRole('button', { name: 'Retry now' }).click();
    await pane.getByRole('status').getByText('Retry recorded: Success').waitFor();
    await shot('entry-retried');
    const users = await f.store.listEntries(
      { status: ['success'], identity: 'ada' },
      { limit: 10 },
    );
    expect(users.items.some((e) => e.action === 'create')).toBe(true);
  });

  it('refreshes the tasks list every 5 seconds while a task runs', async () => {
    await f.store.directory.createUser({ userName: 'bob@example.com', displayName: 'Bob' });
    proxy.inject({ fault: { kind: 'delay', ms: 3000 }, method: 'POST', path: '/Users' });
    const taskId = await runJob();
    await page.goto(`${base}/tasks?window=24h`);
    const row = page.getByTestId('task-row').first();
    await expect.poll(() => row.getAttribute('data-status')).toBe('running');
    await page.getByText('Refreshing every 5 s while a task runs').waitFor();
    await shot('tasks');
    await finished(taskId);
    // No reload here: the page asks again by itself.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 12_000 }).toBe('succeeded');
    await row.getByRole('link', { name: 'View details' }).click();
    await page.getByTestId('task-counts').waitFor();
    await shot('task');
  });

  it('lists systems and jobs with their health and actions', async () => {
    await page.goto(`${base}/systems`);
    await page.getByRole('cell', { name: 'Push to Target App' }).waitFor();
    await page.getByRole('button', { name: 'Provision on demand' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('ada@example.com');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await dialog.getByRole('status').waitFor();
    await shot('systems');
  });
});

async function rowStatuses(page: Page): Promise<string[]> {
  return page
    .getByTestId('log-row')
    .evaluateAll((rows) => rows.map((r) => r.children[3]?.textContent ?? ''));
}
