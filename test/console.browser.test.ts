import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page, Request } from 'playwright-core';
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

  it("counts the dashboard's days in the viewer's time zone", async () => {
    // UTC+14: the local date differs from the UTC date for 14 hours of every day.
    const zone = 'Pacific/Kiritimati';
    const context = await browser.newContext({ timezoneId: zone });
    const local = await context.newPage();
    const answer = local.waitForResponse((r) => r.url().includes('/api/v1/summary'));
    await local.goto(base);
    const res = await answer;
    expect(new URL(res.url()).searchParams.get('tz')).toBe(zone);
    const summary = (await res.json()) as { timeZone: string; days: { day: string }[] };
    expect(summary.timeZone).toBe(zone);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    expect(summary.days.at(-1)?.day).toBe(today);
    await local.getByText(`(days in ${zone})`).waitFor();
    await context.close();
  });

  it('filters the log from values present in the data, and the URL reproduces the view', async () => {
    // The first page is asked for once (by index.html, while the code loads); the facets
    // only after the rows are in.
    const events: string[] = [];
    const kind = (url: string) =>
      url.includes('/api/v1/entries/facets')
        ? 'facets'
        : url.includes('/api/v1/entries?')
          ? 'rows'
          : null;
    const onRequest = (r: Request) => kind(r.url()) && events.push(`${kind(r.url())} asked`);
    const onDone = (r: Request) => kind(r.url()) && events.push(`${kind(r.url())} answered`);
    page.on('request', onRequest);
    page.on('requestfinished', onDone);
    await page.goto(`${base}/logs`);
    await page.getByTestId('log-row').first().waitFor();
    await expect.poll(() => events).toContain('facets answered');
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    expect(events.filter((e) => e === 'rows asked')).toHaveLength(1);
    expect(events.indexOf('facets asked')).toBeGreaterThan(events.indexOf('rows answered'));

    const status = page.locator('details[data-filter=status]');
    await expect.poll(() => status.locator('summary').textContent()).toBe('All');
    await status.locator('summary').click();
    const choices = page.getByRole('group', { name: 'Status' }).getByRole('checkbox');
    const offered = await choices.evaluateAll((els) => els.map((e) => e.getAttribute('value')));
    expect(offered).toContain('failure');
    await page
      .getByRole('group', { name: 'Status' })
      .getByLabel(/^Failure/)
      .check();
    await page.waitForURL(/status=failure/);
    await expect
      .poll(() => rowStatuses(page))
      .toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x.startsWith('Failure')));

    // A second value widens the filter (the API ORs values of one field), still in the URL.
    await page
      .getByRole('group', { name: 'Status' })
      .getByLabel(/^Skipped/)
      .check();
    const chosen = () => new URL(page.url()).searchParams.get('status')?.split(',').sort();
    await expect.poll(chosen).toEqual(['failure', 'skipped']);
    await expect
      .poll(() => rowStatuses(page))
      .toSatisfy(
        (s: string[]) =>
          s.length > 0 && s.every((x) => x.startsWith('Failure') || x.startsWith('Skipped')),
      );
    await expect.poll(() => status.locator('summary').textContent()).toMatch(/\+1$/);
    await shot('log-multi-select');

    // Two actions at once, and Escape closes the list.
    await page.keyboard.press('Escape');
    const action = page.locator('details[data-filter=action]');
    await action.locator('summary').click();
    await page
      .getByRole('group', { name: 'Action' })
      .getByLabel(/^Create/)
      .check();
    await page
      .getByRole('group', { name: 'Action' })
      .getByLabel(/^Update/)
      .check();
    await expect
      .poll(() => new URL(page.url()).searchParams.get('action')?.split(',').sort())
      .toEqual(['create', 'update']);
    await expect
      .poll(() => rowActions(page))
      .toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x === 'Create' || x === 'Update'));

    await page.reload();
    await page.getByTestId('log-row').first().waitFor();
    await status.locator('summary').click();
    const checked = await page
      .getByRole('group', { name: 'Status' })
      .getByRole('checkbox', { checked: true })
      .evaluateAll((els) => els.map((e) => e.getAttribute('value')).sort());
    expect(checked).toEqual(['failure', 'skipped']);
    await page.keyboard.press('Escape');
    await shot('log');
  });

  it('finds entries by the words they say, the search kept in the URL', async () => {
    await page.goto(`${base}/logs?window=7d`);
    await page.getByTestId('log-row').first().waitFor();
    // "throttl" begins a word of the demo's TooManyRequests reasons ("Request throttled …").
    await page.getByRole('searchbox', { name: /^Words/ }).fill('throttl');
    await page.waitForURL(/[?&]q=throttl/);
    const res = await fetch(`${base}/api/v1/entries?window=7d&q=throttl&limit=1000`);
    const found = (await res.json()) as { items: Array<{ errorCode?: string }> };
    expect(found.items.some((e) => e.errorCode === 'TooManyRequests')).toBe(true);
    // The API's entries in its order (an entry of another error may say "throttled" too), as
    // many as the list renders (the rows in view; how many match depends on the hour).
    const expected = found.items.map((e) => e.errorCode ?? '');
    await expect
      .poll(() => rowErrors(page))
      .toSatisfy(
        (codes: string[]) =>
          codes.length >= Math.min(expected.length, 10) &&
          codes.join() === expected.slice(0, codes.length).join(),
      );
    await shot('log-words');
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
    const row = page.getByTestId('job-row').filter({ hasText: 'Push to Target App' });
    const stateBefore = await row.getAttribute('data-state');
    await row.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('paused');
    expect((await f.store.config.getJob(f.jobId))?.state).toBe('paused');
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('active');
    expect(stateBefore).not.toBe('paused');

    // A quarantined job says why, and when the engine next probes it.
    const nextTry = new Date(Date.now() + 10 * 60_000).toISOString();
    await f.store.config.setJobState(
      f.jobId,
      'quarantined',
      `Quarantined: 12 of 20 objects (60%) failed, past the threshold of 50% and at least 10 in task t-1; next try at ${nextTry}`,
    );
    await page.reload();
    await expect.poll(() => row.getAttribute('data-state')).toBe('quarantined');
    const health = row.getByTestId('job-health');
    await health.getByText('12 of 20 objects (60%) failed').waitFor();
    await expect.poll(() => health.locator('time').getAttribute('datetime')).toBe(nextTry);
    await health.getByText(/^Next probe:/).waitFor();
    await shot('systems-quarantined');
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('active');

    await page.getByRole('button', { name: 'Provision on demand' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('ada@example.com');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await dialog.getByRole('status').waitFor();
    await shot('systems');
  });
});

async function rowActions(page: Page): Promise<string[]> {
  return page
    .getByTestId('log-row')
    .evaluateAll((rows) => rows.map((r) => r.children[2]?.textContent ?? ''));
}

async function rowErrors(page: Page): Promise<string[]> {
  return page
    .getByTestId('log-row')
    .evaluateAll((rows) => rows.map((r) => r.children[6]?.textContent ?? ''));
}

async function rowStatuses(page: Page): Promise<string[]> {
  return page
    .getByTestId('log-row')
    .evaluateAll((rows) => rows.map((r) => r.children[3]?.textContent ?? ''));
}
