import { spawn } from 'node:child_process';
import { NODE_FLAGS } from './stats.ts';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EntryInput } from '../src/model/entry.ts';
import type { TaskInput } from '../src/model/task.ts';
import { normalizeEntry } from '../src/model/normalize.ts';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.ts';
import { tuneSqlite } from '../src/store/sqlite/open.ts';
import { prepareEntry } from '../src/store/entry-codec.ts';
import { sqliteEntryRowValues } from '../src/store/sqlite/sqlite-writer.ts';

export interface Sample {
  tasks: TaskInput[];
  entries: EntryInput[];
}

const BATCH = Number(process.env.BATCH ?? 5000);

/**
 * The physical baseline: the same rows into the same table and indexes, with the same page
 * size and pragmas, through one bare prepared statement, every value computed beforehand. What
 * provlog adds on top — validation, normalisation and redaction, the identity dictionary and
 * its trigram index, rollups, task counts, failure resolution — is the gap. The rows are read
 * from the batch files the measured runs read, so the baseline can be measured right beside
 * each of them (this host's speed drifts from minute to minute). Its checkpoints run inside
 * its commits, as SQLite runs them; provlog's writer hands them to a thread of its own
 * (store/sqlite/checkpointer.ts), code the baseline does not have, like the rest of the gap.
 */
export function rawInsertRate(dir: string, files: string[]): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'raw.db'));
  // As the log's writer thread opens its connection.
  tuneSqlite(db, 'writes');
  db.exec(SQLITE_MIGRATIONS.map((m) => m.sql).join('\n'));
  const identities = new Map<string, number>();
  const rows: unknown[][] = [];
  for (const file of files)
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const { kind, ...input } = JSON.parse(line) as { kind: string } & EntryInput;
      if (kind !== 'entry') continue;
      const p = prepareEntry(normalizeEntry(input));
      if (!identities.has(p.identity)) identities.set(p.identity, identities.size + 1);
      rows.push(sqliteEntryRowValues(p, identities.get(p.identity)!));
    }
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
  // Gone before the next measure: its pages are not written back to disk while that one runs.
  rmSync(dir, { recursive: true, force: true });
  return rows.length / seconds;
}

/** The sample as NDJSON batch files (tasks first), as a producer would send them. */
export function writeBatchFiles(dir: string, sample: Sample): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (lines: string[]) => {
    const file = join(dir, `batch-${String(files.length).padStart(4, '0')}.ndjson`);
    writeFileSync(file, lines.join('\n'));
    files.push(file);
  };
  write(sample.tasks.map((t) => JSON.stringify({ kind: 'task', ...t })));
  for (let i = 0; i < sample.entries.length; i += BATCH)
    write(sample.entries.slice(i, i + BATCH).map((e) => JSON.stringify({ kind: 'entry', ...e })));
  return files;
}

const CHILD = fileURLToPath(new URL('./ingest-child.ts', import.meta.url));
const child = (args: string[]) =>
  spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });

/**
 * provlog's own write path in-process, as an engine in the same process uses it: each batch of
 * records validated, normalised, split and stored (ingest-records.ts), timed around the calls.
 */
export async function inProcessRate(
  dir: string,
  files: string[],
  total: number,
): Promise<{
  perSec: number;
  processCpuSeconds: number;
  mainThreadCpuSeconds: number | null;
  pageFaults: number;
}> {
  rmSync(dir, { recursive: true, force: true });
  const proc = child(['inprocess', join(dir, 'provlog.db'), ...files]);
  proc.stdin.end();
  let out = '';
  for await (const chunk of proc.stdout) out += String(chunk);
  const { seconds, accepted, ...cpu } = JSON.parse(out) as {
    seconds: number;
    accepted: number;
    processCpuSeconds: number;
    mainThreadCpuSeconds: number | null;
    pageFaults: number;
  };
  rmSync(dir, { recursive: true, force: true });
  if (accepted < total) throw new Error(`only ${accepted} of ${total} accepted`);
  return { perSec: total / seconds, ...cpu };
}

/**
 * Over HTTP on loopback: provlog serving in a process of its own, NDJSON batches posted from
 * this one, two requests in flight.
 */
export async function httpRate(dir: string, files: string[], total: number): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const server = child(['serve', join(dir, 'provlog.db')]);
  const exited = once(server, 'exit');
  const [line] = (await once(server.stdout, 'data')) as [Buffer];
  const address = String(line).trim();
  const bodies = files.map((f) => readFileSync(f));
  let next = 0;
  let accepted = 0;
  const lane = async () => {
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
  await Promise.all([lane(), lane()]);
  const seconds = (performance.now() - t) / 1000;
  server.stdin.end();
  await exited;
  rmSync(dir, { recursive: true, force: true });
  if (accepted < total) throw new Error(`only ${accepted} of ${total} accepted`);
  return total / seconds;
}
