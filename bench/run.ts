import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoHistory } from '../src/demo/demo-history.ts';
import { Prng } from '../src/demo/prng.ts';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { PostgresLogStore } from '../src/store/postgres/postgres-log-store.ts';
import type { TaskInput } from '../src/model/task.ts';
import { prepareEntry, type PreparedEntry } from '../src/store/entry-codec.ts';
import { normalizeEntry } from '../src/model/normalize.ts';
import { validateEntry, validateTask } from '../src/model/validate-ingest.ts';
import {
  httpRate,
  inProcessRate,
  rawInsertRate,
  writeBatchFiles,
  type Sample,
} from './ingest-bench.ts';
import { queryFigures, type QueryPicks } from './query-bench.ts';
import { csvImportFigures } from './csv-bench.ts';
import { ldapImportFigures } from './ldap-bench.ts';
import { scimOutboundFigures } from './scim-bench.ts';
import { medianFigures } from './stats.ts';

/**
 * `npm run bench [-- --entries 10000000] [--sample 200000] [--rounds 40] [--only ingest,csv]
 * [--repeat 3] [--pg-entries 200000]`: figures as JSON on stdout; `--only` runs some of ingest,
 * csv, ldap, scim, queries, pgqueries (the query figures on PostgreSQL); `--repeat` runs the
 * ingest, CSV and LDAP sections that many times and reports each figure's median (and every
 * run), for a host whose speed varies from minute to minute.
 * Progress goes to stderr. Nothing here asserts; tests never time anything.
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const entries = arg('entries', 1_000_000);
const sampleSize = arg('sample', 200_000);
const rounds = arg('rounds', 40);
const repeat = arg('repeat', 1);
const SECTIONS = ['ingest', 'csv', 'ldap', 'scim', 'queries', 'pgqueries'];
const only = (() => {
  const i = process.argv.indexOf('--only');
  if (i === -1) return new Set(SECTIONS);
  const names = (process.argv[i + 1] ?? '').split(',');
  const unknown = names.filter((n) => !SECTIONS.includes(n));
  if (unknown.length)
    throw new Error(`--only takes ${SECTIONS.join(', ')}; not ${unknown.join(', ')}`);
  return new Set(names);
})();
const dir = join(tmpdir(), `provlog-bench-${process.pid}`);
const now = Date.now();
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function collect(n: number, seed: number): Sample {
  const sample: Sample = { tasks: [], entries: [] };
  for (const batch of generateDemoHistory({ now, entries: n, seed, days: 30 })) {
    sample.tasks.push(...batch.tasks);
    sample.entries.push(...batch.entries);
  }
  return sample;
}

/**
 * What describes the sample, with its batch files written; the sample itself is not kept, so
 * the producer and client processes later measures run beside hold no heap of it.
 */
function prepareIngest(name: string, sample: Sample) {
  const bytes = sample.entries.reduce((n, e) => n + JSON.stringify(e).length, 0);
  return {
    files: writeBatchFiles(join(dir, `batches-${name}`), sample),
    figures: {
      entries: sample.entries.length,
      entriesWithSteps: sample.entries.filter((e) => e.steps?.length).length,
      entriesWithModifiedProperties: sample.entries.filter((e) => e.modifiedProperties?.length)
        .length,
      meanEntryJsonBytes: Math.round(bytes / sample.entries.length),
    },
  };
}

function prepareIngestSamples() {
  const sample = collect(sampleSize, 7);
  return {
    // Entries as the demo writes them: steps, modified properties and SCIM/LDAP payloads.
    full: prepareIngest('full', sample),
    // The same entries without request/response payloads: steps and modified properties only.
    withoutPayloads: prepareIngest('bare', {
      tasks: sample.tasks,
      entries: sample.entries.map(({ request: _q, response: _r, ...rest }) => rest),
    }),
  };
}

async function ingestSection() {
  const prepared = prepareIngestSamples();
  const out: Record<string, unknown> = {};
  for (const [name, { files, figures }] of Object.entries(prepared)) {
    // The baseline just before and just after the in-process run, which is compared with their
    // mean: this host's speed drifts by half within minutes.
    const rawBefore = rawInsertRate(join(dir, 'raw'), files);
    const inProcess = await inProcessRate(join(dir, 'inproc'), files, figures.entries);
    const rawAfter = rawInsertRate(join(dir, 'raw'), files);
    const raw = (rawBefore + rawAfter) / 2;
    const http = await httpRate(join(dir, 'http'), files, figures.entries);
    for (const f of files) rmSync(f, { force: true });
    out[name] = {
      ...figures,
      rawBetterSqlite3PerSec: Math.round(raw),
      rawBeforeAndAfterPerSec: [Math.round(rawBefore), Math.round(rawAfter)],
      inProcessPerSec: Math.round(inProcess.perSec),
      inProcessShareOfRaw: Math.round((inProcess.perSec / raw) * 100) / 100,
      // Where the in-process run's time went: every thread, and the producer's (main) alone.
      inProcessCpuSeconds: inProcess.processCpuSeconds,
      inProcessMainThreadCpuSeconds: inProcess.mainThreadCpuSeconds,
      inProcessPageFaults: inProcess.pageFaults,
      httpNdjsonPerSec: Math.round(http),
    };
  }
  return out;
}

async function main() {
  const figures: Record<string, unknown> = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };

  if (only.has('ingest')) {
    log(`ingest: ${sampleSize} demo entries, raw baseline vs provlog in-process vs HTTP`);
    figures.ingest = await repeated(ingestSection);
  }
  if (only.has('csv')) {
    const csvRows = arg('csv-rows', 100_000);
    log(`CSV import: ${csvRows} users into an empty hub, then again (no change)`);
    figures.csvImport = await repeated(() => csvImportFigures(join(dir, 'csv'), csvRows));
  }
  if (only.has('ldap'))
    figures.ldapImport = await repeated(() => ldapImportFigures(join(dir, 'ldap')));
  if (only.has('scim')) {
    figures.scimOutbound = await scimOutboundFigures(join(dir, 'scim'), arg('scim-users', 100_000));
    log(JSON.stringify(figures.scimOutbound));
  }
  if (only.has('queries')) await querySection(figures);
  if (only.has('pgqueries')) await pgQuerySection(figures);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

/** A section run `repeat` times: its figures once, or each one's median and every run. */
async function repeated<T extends object>(section: () => Promise<T>): Promise<T | object> {
  const runs: T[] = [];
  for (let i = 0; i < repeat; i++) {
    runs.push(await section());
    log(JSON.stringify(runs.at(-1)));
  }
  return repeat === 1 ? runs[0]! : { median: medianFigures(runs), runs };
}

/** Loads `entries` demo entries (rate per fifth) and times filtered first pages and facets. */
async function querySection(figures: Record<string, unknown>) {
  log(`queries: loading ${entries} demo entries`);
  const store = new SqliteLogStore({ file: join(dir, 'query', 'provlog.db') });
  const loaded = await loadQueryDataset((batch) => store.ingestSync(batch));
  // Indexing what waits (the words of the last entries), statistics, checkpoint.
  const optimizeStarted = performance.now();
  store.optimize();
  const optimizeSeconds = (performance.now() - optimizeStarted) / 1000;
  figures.dataset = { ...loaded.dataset, optimizeSeconds: round1(optimizeSeconds) };
  log(JSON.stringify(figures.dataset));
  figures.queries = await queryFigures(store, loaded.picks, loaded.rng, rounds);
  await store.close();
}

/**
 * The same on PostgreSQL (`--only pgqueries`, `--pg-entries`, default `--entries`): the demo
 * loaded into a schema of its own on the test server (PROVLOG_BENCH_DATABASE_URL), two batches
 * in flight as concurrent writers would send them, then VACUUM ANALYZE (what autovacuum does
 * after a load) and the same queries.
 */
async function pgQuerySection(figures: Record<string, unknown>) {
  const url = process.env.PROVLOG_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const n = arg('pg-entries', entries);
  const schema = `provlog_bench_${process.pid}`;
  let store: PostgresLogStore;
  try {
    store = await PostgresLogStore.connect({
      connectionString: url,
      schema,
      secretKeyHex: '0'.repeat(64),
    });
  } catch (err) {
    figures.postgres = { skipped: `no PostgreSQL at ${url}: ${(err as Error).message}` };
    log(JSON.stringify(figures.postgres));
    return;
  }
  try {
    log(`PostgreSQL queries: loading ${n} demo entries into schema ${schema}`);
    let inFlight: Array<Promise<unknown>> = [];
    const loaded = await loadQueryDataset(async (batch) => {
      inFlight.push(store.ingestPrepared(batch));
      if (inFlight.length >= 2) await inFlight.shift();
    }, n);
    await Promise.all(inFlight);
    inFlight = [];
    const vacuumStarted = performance.now();
    await store.pool.query('VACUUM ANALYZE');
    const dataset = {
      ...loaded.dataset,
      vacuumAnalyzeSeconds: round1((performance.now() - vacuumStarted) / 1000),
    };
    log(JSON.stringify(dataset));
    figures.postgres = {
      dataset,
      queries: await queryFigures(store, loaded.picks, loaded.rng, rounds),
    };
  } finally {
    await store.pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    await store.close();
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * `n` demo entries handed to `ingest` a generated batch at a time (the valid ones, prepared),
 * with the rate per fifth of the load, and what the queries will look for, picked from them.
 */
async function loadQueryDataset(
  ingest: (batch: { tasks: TaskInput[]; entries: PreparedEntry[] }) => unknown,
  n = entries,
) {
  const rng = new Prng(99);
  const picks: QueryPicks = { names: [], starts: [], words: [], taskIds: [], applications: [] };
  const apps = new Set<string>();
  let loaded = 0;
  const t0 = performance.now();
  // Entries per second over each fifth of the load: how ingest holds up as the log grows.
  const byFifth: number[] = [];
  let fifthStart = { at: t0, loaded: 0 };
  for (const batch of generateDemoHistory({ now, entries: n, seed: 11, days: 30 })) {
    const valid = batch.entries
      .filter((e) => validateEntry(e, now).length === 0)
      .map((e) => prepareEntry(normalizeEntry(e)));
    await ingest({
      tasks: batch.tasks.filter((t) => validateTask(t, now).length === 0),
      entries: valid,
    });
    for (const e of batch.entries) {
      if (rng.next() < 0.0005) {
        const name = e.targetIdentity?.displayName ?? e.sourceIdentity?.displayName;
        // What a person types: part of a name, 4 to 8 characters from its start or middle.
        if (name && name.length > 4) {
          const start = rng.next() < 0.5 ? 0 : Math.floor(rng.next() * (name.length - 4));
          picks.names.push(name.slice(start, start + 4 + Math.floor(rng.next() * 5)));
          picks.starts.push(name.slice(0, 3));
        }
        if (e.taskId) picks.taskIds.push(e.taskId);
        // What a person looks for in free text: the start (4 to 8 letters) of a word it says.
        const said = [name, e.reason, ...(e.steps ?? []).map((s) => s.description)].join(' ');
        const words = said.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4);
        const word = words[Math.floor(rng.next() * words.length)];
        if (word) picks.words.push(word.slice(0, 4 + Math.floor(rng.next() * 5)));
      }
      for (const s of [e.sourceSystem?.name, e.targetSystem?.name])
        if (s && s !== 'provlog hub') apps.add(s);
    }
    loaded += batch.entries.length;
    if (loaded % 200_000 < batch.entries.length) log(`  ${loaded} entries`);
    if (byFifth.length < 4 && loaded - fifthStart.loaded >= n / 5) {
      const at = performance.now();
      byFifth.push(Math.round((loaded - fifthStart.loaded) / ((at - fifthStart.at) / 1000)));
      fifthStart = { at, loaded };
    }
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  // The last fifth runs to the end of the load, however the batches fell.
  byFifth.push(
    Math.round((loaded - fifthStart.loaded) / ((performance.now() - fifthStart.at) / 1000)),
  );
  picks.applications = [...apps].map((a) =>
    a.toLowerCase().slice(0, Math.max(4, Math.ceil(a.length / 2))),
  );
  return {
    picks,
    // Where the queries' own picks go on from.
    rng,
    dataset: {
      entries: loaded,
      loadSeconds: Math.round(loadSeconds),
      loadPerSec: Math.round(loaded / loadSeconds),
      loadPerSecByFifth: byFifth,
      applications: [...apps],
      identityQueries: picks.names.slice(0, 8),
      freeTextQueries: picks.words.slice(0, 8),
    },
  };
}

main().catch((err) => {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
