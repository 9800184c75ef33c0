import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EntryInput } from '../src/model/entry.ts';
import type { TaskInput } from '../src/model/task.ts';
import { normalizeEntry } from '../src/model/normalize.ts';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.ts';
import { tuneSqlite } from '../src/store/sqlite/open.ts';
import { entryRowValues, prepareEntry } from '../src/store/entry-codec.ts';
import { buildApp } from '../src/api/build-app.ts';
import { ingestRecords, type IngestRecord } from '../src/ingest/ingest-records.ts';

export interface Sample {
  tasks: TaskInput[];
  entries: EntryInput[];
}

const BATCH = Number(process.env.BATCH ?? 5000);

/**
 * The physical baseline: the same rows into the same table and indexes, with the same page
 * size and pragmas, through one bare prepared statement, every value computed beforehand. What
 * provlog adds on top — validation, normalisation and redaction, the identity dictionary and
 * its trigram index, rollups, task counts, failure resolution — is the gap.
 */
export function rawInsertRate(dir: string, sample: Sample): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'raw.db'));
  tuneSqlite(db);
  db.exec(SQLITE_MIGRATIONS.map((m) => m.sql).join('\n'));
  const identities = new Map<string, number>();
  const rows = sample.entries.map((input) => {
    const p = prepareEntry(normalizeEntry(input));
    if (!identities.has(p.identity)) identities.set(p.identity, identities.size + 1);
    return entryRowValues(p, identities.get(p.identity)!);
  });
  const insert = db.prepare(`INSERT OR IGNORE INTO entries
    (change_id, time, task_id, job_id, cycle_id, operation_id, direction, status, action, object_type, skip_reason,
     error_code, trigger_module, trigger_method, source, source_system_id, target_system_id, application_id, identity_id,
     retry_at, doc)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const tx = db.transaction((batch: unknown[][]) => {
    for (const r of batch) insert.run(...r);
  });
  const t = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) tx(rows.slice(i, i + BATCH));
  const seconds = (performance.now() - t) / 1000;
  db.close();
  return rows.length / seconds;
}

const asRecords = (kind: 'task' | 'entry', values: unknown[]): IngestRecord[] =>
  values.map((value, index) => ({ kind, index, value }));

/**
 * provlog's own write path in-process, as an engine in the same process uses it: each batch of
 * records validated, normalised, split and stored (ingest-records.ts).
 */
export async function inProcessRate(dir: string, sample: Sample): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  const batches: IngestRecord[][] = [asRecords('task', sample.tasks)];
  for (let i = 0; i < sample.entries.length; i += BATCH)
    batches.push(asRecords('entry', sample.entries.slice(i, i + BATCH)));
  let accepted = 0;
  const t = performance.now();
  for (const batch of batches) {
    const answer = await ingestRecords(store, batch);
    if (answer.rejected.length)
      throw new Error(`ingest rejected: ${JSON.stringify(answer.rejected[0]).slice(0, 300)}`);
    accepted += answer.accepted;
  }
  const seconds = (performance.now() - t) / 1000;
  await store.close();
  if (accepted < sample.entries.length)
    throw new Error(`only ${accepted} of ${sample.entries.length} accepted`);
  return sample.entries.length / seconds;
}

/** Over HTTP on loopback: NDJSON batches posted to a listening server, two requests in flight. */
export async function httpRate(dir: string, sample: Sample): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db') });
  const app = await buildApp({ store });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const bodies: string[] = [];
  bodies.push(sample.tasks.map((t) => JSON.stringify({ kind: 'task', ...t })).join('\n'));
  for (let i = 0; i < sample.entries.length; i += BATCH) {
    bodies.push(
      sample.entries
        .slice(i, i + BATCH)
        .map((e) => JSON.stringify({ kind: 'entry', ...e }))
        .join('\n'),
    );
  }
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${address}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      });
      const answer = (await res.json()) as { accepted: number; rejected: unknown[] };
      if (!res.ok || answer.rejected.length)
        throw new Error(`ingest failed: ${JSON.stringify(answer).slice(0, 300)}`);
      accepted += answer.accepted;
    }
  };
  const t = performance.now();
  await Promise.all([worker(), worker()]);
  const seconds = (performance.now() - t) / 1000;
  await app.close();
  await store.close();
  if (accepted < sample.entries.length)
    throw new Error(`only ${accepted} of ${sample.entries.length} accepted`);
  return sample.entries.length / seconds;
}
