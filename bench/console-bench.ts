/// <reference lib="dom" />
/**
 * The console's figures in a real browser (Debian's Chromium), against a store of
 * `--entries` (default 1,000,000) demo entries: time from navigation to the log's first rows,
 * and from choosing a filter to the rows changing. Prints JSON; asserts nothing.
 *   node --import tsx bench/console-bench.ts [--entries 1000000] [--rounds 7] [--db file]
 * `--db` keeps the store in that file and reuses it when it already holds entries, so repeated
 * runs skip the load (minutes at 1M).
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

const dbIndex = process.argv.indexOf('--db');
const keptDb = dbIndex > 0 ? process.argv[dbIndex + 1] : undefined;
const dir = join(tmpdir(), `provlog-console-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
await ensureConsoleBuilt({ quiet: true });
const store = new SqliteLogStore({ file: keptDb ?? join(dir, 'provlog.db') });
let t = Date.now();
const held = keptDb ? (await store.facets({})).status : undefined;
const heldCount = Object.values(held ?? {}).reduce((a, b) => a + b, 0);
const loaded =
  heldCount > 0
    ? { entries: heldCount }
    : await loadDemo(store, { now: Date.now(), days: 30, seed: 7, entries });
log(`${heldCount > 0 ? 'reused' : 'loaded'} ${loaded.entries} entries in ${Date.now() - t} ms`);
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

/** Server time of the log's first two requests, without a browser: median of `rounds`. */
const serverMs: Record<string, number> = {};
for (const path of [
  '/api/v1/entries?window=30d&limit=100',
  '/api/v1/entries/facets?window=30d',
  '/api/v1/entries?window=30d&status=failure&limit=100',
  '/api/v1/entries?window=30d&status=failure&action=update&limit=100',
]) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const res = await fetch(base + path);
    await res.arrayBuffer();
    times.push(performance.now() - start);
  }
  serverMs[path] = Math.round(median(times) * 10) / 10;
}

type Waterfall = { url: string; startMs: number; endMs: number; bytes: number }[];
let waterfall: Waterfall = [];
const firstRows: number[] = [];
const firstRowsCached: number[] = [];
const filterApplied: { status: number[]; action: number[] } = { status: [], action: [] };

/**
 * Navigates and answers, from inside the page, when the first row entered the DOM in ms
 * after navigation start (a MutationObserver: no polling delay), and what was fetched when.
 */
async function openLog(page: Page): Promise<{ firstRowMs: number; waterfall: Waterfall }> {
  await page.goto(`${base}/logs?window=30d`, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as { firstRowAt?: number }).firstRowAt !== undefined);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return {
      firstRowMs: (window as { firstRowAt?: number }).firstRowAt!,
      waterfall: [nav, ...resources].map((r) => ({
        url: r.name.replace(location.origin, ''),
        startMs: Math.round(r.startTime),
        endMs: Math.round(r.responseEnd),
        bytes: r.transferSize,
      })),
    };
  });
}

for (let i = 0; i < rounds; i++) {
  // A fresh context each round: an empty HTTP cache, as on a first visit.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // A string, not a function: tsx would wrap inner functions in a helper the page lacks.
  await context.addInitScript(`
    new MutationObserver((_m, obs) => {
      if (!document.querySelector('[data-testid=log-row]')) return;
      window.firstRowAt = performance.now();
      obs.disconnect();
    }).observe(document, { childList: true, subtree: true });
  `);
  const page = await context.newPage();
  const first = await openLog(page);
  firstRows.push(first.firstRowMs);
  if (i === rounds - 1) waterfall = first.waterfall;
  // The same again with the assets in the HTTP cache (a returning user).
  firstRowsCached.push((await openLog(page)).firstRowMs);

  // Filters are multi-selects: open the list first, then time the tick.
  await page.locator('details[data-filter=status] summary').click();
  const failure = page.locator('input[name=status][value=failure]');
  await failure.waitFor();
  t = performance.now();
  await failure.check();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=log-row]')];
    return rows.length > 0 && rows.every((r) => r.children[3]?.textContent?.startsWith('Failure'));
  });
  filterApplied.status.push(performance.now() - t);

  await page.locator('details[data-filter=action] summary').click();
  const update = page.locator('input[name=action][value=update]');
  await update.waitFor();
  t = performance.now();
  await update.check();
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
  logFirstRowsCachedMs: {
    median: Math.round(median(firstRowsCached)),
    all: firstRowsCached.map(Math.round),
  },
  filterStatusToRowsMs: {
    median: Math.round(median(filterApplied.status)),
    all: filterApplied.status.map(Math.round),
  },
  filterActionToRowsMs: {
    median: Math.round(median(filterApplied.action)),
    all: filterApplied.action.map(Math.round),
  },
  serverMs,
  lastRoundWaterfall: waterfall,
  targets: { logFirstRowsMs: 1000, filterToRowsMs: 300 },
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
await browser.close();
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
