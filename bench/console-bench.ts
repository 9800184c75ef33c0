/// <reference lib="dom" />
/**
 * The console's figures in a real browser (Debian's Chromium), against a store of
 * `--entries` (default 1,000,000) demo entries: time from navigation to the log's first rows,
 * and from choosing a filter to the rows changing. Prints JSON; asserts nothing.
 *   node --import tsx bench/console-bench.ts [--entries 1000000] [--rounds 7]
 */
import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/api/build-app.ts';
import { registerConsole } from '../src/api/console.ts';
import { loadDemo } from '../src/ingest/load-demo.ts';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { ensureConsoleBuilt } from '../scripts/build-console.ts';
import { launchChromium } from '../test/helpers/chromium.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const entries = arg('entries', 1_000_000);
const rounds = arg('rounds', 7);
const log = (m: string) => process.stderr.write(`[console-bench] ${m}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = join(tmpdir(), `provlog-console-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
await ensureConsoleBuilt({ quiet: true });
const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
let t = Date.now();
const loaded = await loadDemo(store, { now: Date.now(), days: 30, seed: 7, entries });
log(`loaded ${loaded.entries} entries in ${Date.now() - t} ms`);
const app = await buildApp({ store, extend: (a) => registerConsole(a) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const browser = await launchChromium();

const statusesShown = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=log-row]')].map(
      (r) => r.children[3]?.textContent ?? '',
    ),
  );

const firstRows: number[] = [];
const filterApplied: { status: number[]; action: number[] } = { status: [], action: [] };
for (let i = 0; i < rounds; i++) {
  // A fresh context each round: nothing cached but the HTTP cache rules allow.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  t = performance.now();
  await page.goto(`${base}/logs?window=30d`);
  await page.getByTestId('log-row').first().waitFor();
  firstRows.push(performance.now() - t);

  await page.locator('select[name=status] option[value=failure]').waitFor({ state: 'attached' });
  t = performance.now();
  await page.locator('select[name=status]').selectOption('failure');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=log-row]')];
    return rows.length > 0 && rows.every((r) => r.children[3]?.textContent?.startsWith('Failure'));
  });
  filterApplied.status.push(performance.now() - t);

  t = performance.now();
  await page.locator('select[name=action]').selectOption('update');
  await page.waitForURL(/action=update/);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=log-row]')];
    return rows.length > 0 && rows.every((r) => r.children[2]?.textContent === 'Update');
  });
  filterApplied.action.push(performance.now() - t);
  if (i === 0) log(`shown after filters: ${(await statusesShown(page)).length} rows`);
  await context.close();
}

const figures = {
  bench: 'console',
  entries: loaded.entries,
  rounds,
  logFirstRowsMs: { median: Math.round(median(firstRows)), all: firstRows.map(Math.round) },
  filterStatusToRowsMs: {
    median: Math.round(median(filterApplied.status)),
    all: filterApplied.status.map(Math.round),
  },
  filterActionToRowsMs: {
    median: Math.round(median(filterApplied.action)),
    all: filterApplied.action.map(Math.round),
  },
  targets: { logFirstRowsMs: 1000, filterToRowsMs: 300 },
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
await browser.close();
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
