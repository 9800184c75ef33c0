import { foldForSearch } from '../../model/fold-text.ts';
import type { Pool, PoolClient } from 'pg';
import type { TaskInput } from '../../model/task.ts';
import type { StoreIngestResult } from '../log-store.ts';
import { entryRowValues, taskRowValues, type PreparedEntry } from '../entry-codec.ts';
import { indexedWords } from '../entry-words.ts';
import {
  BatchAccounting,
  COUNTER_COLUMNS,
  entryDims,
  mayResolve,
  ROLLUP_DIMENSIONS,
  type RollupRow,
  untracedDelta,
} from '../batch-accounting.ts';

const ENTRY_COLUMNS = [
  ['change_id', 'text'],
  ['time', 'int8'],
  ['task_id', 'text'],
  ['job_id', 'text'],
  ['cycle_id', 'text'],
  ['operation_id', 'text'],
  ['direction', 'text'],
  ['status', 'text'],
  ['action', 'text'],
  ['object_type', 'text'],
  ['skip_reason', 'text'],
  ['error_code', 'text'],
  ['trigger_module', 'text'],
  ['trigger_method', 'text'],
  ['source', 'text'],
  ['source_system_id', 'text'],
  ['target_system_id', 'text'],
  ['application_id', 'text'],
  ['identity_id', 'int4'],
  ['retry_at', 'int8'],
  ['doc', 'text'],
] as const;

const COLUMN_NAMES = ENTRY_COLUMNS.map(([c]) => c).join(', ');

// One INSERT for the whole batch: arrays of column values unnested server-side.
const INSERT_ENTRIES = `INSERT INTO entries (${COLUMN_NAMES})
  SELECT * FROM unnest(${ENTRY_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (change_id) DO NOTHING RETURNING change_id, seq`;

// The stored entries' words (entry-words.ts, indexedWords) as one text each, joined by spaces (a
// word holds none), or NULL for an entry of too many; beside their time and facet combination.
const INSERT_WORDS = `INSERT INTO entry_words (seq, time, combo, words)
  SELECT seq, time, combo, array_to_tsvector(string_to_array(word_list, ' '))
  FROM unnest($1::int8[], $2::int8[], $3::int4[], $4::text[]) AS batch (seq, time, combo, word_list)`;

const upsertRollup = (
  table: string,
) => `INSERT INTO ${table} (bucket, ${ROLLUP_DIMENSIONS.join(', ')}, n)
  SELECT * FROM unnest($1::int8[], ${ROLLUP_DIMENSIONS.map((_, i) => `$${i + 2}::text[]`).join(', ')}, $${ROLLUP_DIMENSIONS.length + 2}::int8[])
  ON CONFLICT (bucket, ${ROLLUP_DIMENSIONS.join(', ')}) DO UPDATE SET n = ${table}.n + excluded.n`;

const UPSERT_COUNTS = `INSERT INTO task_counts (task_id, ${COUNTER_COLUMNS.join(', ')})
  SELECT * FROM unnest($1::text[], ${COUNTER_COLUMNS.map((_, i) => `$${i + 2}::int4[]`).join(', ')})
  ON CONFLICT (task_id) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = task_counts.${c} + excluded.${c}`).join(', ')}`;

const UPSERT_TASK = `INSERT INTO tasks
  (id, job_id, cycle_id, parent_task_id, direction, trigger_module, trigger_module_name, trigger_method,
   source, started_at, ended_at, initial, event, error_code, reason, doc)
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
  ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, cycle_id = excluded.cycle_id,
    parent_task_id = excluded.parent_task_id, direction = excluded.direction,
    trigger_module = excluded.trigger_module, trigger_module_name = excluded.trigger_module_name,
    trigger_method = excluded.trigger_method, source = excluded.source, started_at = excluded.started_at,
    ended_at = excluded.ended_at, initial = excluded.initial, event = excluded.event,
    error_code = excluded.error_code, reason = excluded.reason, doc = excluded.doc`;

const RESOLVE = `UPDATE entries SET resolved_by = $1
  WHERE operation_id = $2 AND status = 'failure' AND resolved_by IS NULL AND seq <> $3
    AND (time < $4 OR (time = $4 AND seq < $3))
  RETURNING change_id, task_id, object_type`;

/** The first later retry or confirmation of a failure that arrived after it (out of order). */
const LATER_RESOLVER = `SELECT change_id, task_id FROM entries
  WHERE operation_id = $1 AND seq <> $2 AND time > $3
    AND (action = 'confirm' OR (status = 'success' AND operation_id <> change_id))
  ORDER BY time, seq LIMIT 1`;

function columnsOf<T>(rows: T[][], width: number): T[][] {
  const cols: T[][] = Array.from({ length: width }, () => []);
  for (const row of rows) for (let i = 0; i < width; i++) cols[i]!.push(row[i]!);
  return cols;
}

/**
 * The write path of the PostgreSQL store: one transaction per batch, bulk statements
 * (unnest), derived counts upserted in a fixed key order so concurrent provlog processes
 * sharing the database do not deadlock.
 */
export class PostgresWriter {
  private readonly identityIds = new Map<string, number>();
  private readonly systemNames = new Map<string, string>();
  /** facet_combos ids by their dimensions joined (few hundred in a log). */
  private readonly comboIds = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async ingestBatch(
    tasks: TaskInput[],
    entries: PreparedEntry[],
  ): Promise<StoreIngestResult & { renamedSystems: string[] }> {
    const client = await this.pool.connect();
    try {
      // The identity dictionary and the system names are written before the batch's
      // transaction, in statements of their own: another writer storing the same objects
      // (another provlog process, or the next batch) then waits for those statements, not for
      // this whole batch to commit. An identity a batch that then failed added stays, and no
      // entry refers to it (searches find nothing by it); a system's name is its latest.
      await this.identityIdsFor(
        client,
        entries.map((p) => p.identity),
      );
      const renamedSystems = await this.noteSystems(client, entries);
      const combos = await this.combosOf(client, entries);
      await client.query('BEGIN');
      const taskOutcomes: Array<'accepted' | 'duplicate'> = [];
      for (const t of tasks) taskOutcomes.push(await this.writeTask(client, t));
      const entryOutcomes = await this.writeEntries(client, entries, combos);
      await client.query('COMMIT');
      return { tasks: taskOutcomes, entries: entryOutcomes, renamedSystems };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      this.identityIds.clear();
      this.systemNames.clear();
      this.comboIds.clear();
      throw err;
    } finally {
      client.release();
    }
  }

  private async writeTask(client: PoolClient, t: TaskInput): Promise<'accepted' | 'duplicate'> {
    const doc = JSON.stringify(t);
    const existing = await client.query<{ doc: string }>('SELECT doc FROM tasks WHERE id = $1', [
      t.id,
    ]);
    const stored = existing.rows[0]?.doc;
    if (stored === doc) return 'duplicate';
    await client.query(UPSERT_TASK, taskRowValues(t, doc));
    const delta = untracedDelta(stored ? (JSON.parse(stored) as TaskInput) : undefined, t);
    if (delta)
      await client.query(UPSERT_COUNTS, [[t.id], ...COUNTER_COLUMNS.map((k) => [delta[k]])]);
    return 'accepted';
  }

  private async noteSystems(client: PoolClient, entries: PreparedEntry[]): Promise<string[]> {
    const changed = new Map<string, string>();
    for (const { head: e } of entries) {
      for (const ref of [e.sourceSystem, e.targetSystem]) {
        if (ref && this.systemNames.get(ref.id) !== ref.name) changed.set(ref.id, ref.name);
      }
    }
    if (changed.size === 0) return [];
    const ids = [...changed.keys()].sort();
    const names = ids.map((id) => changed.get(id)!);
    await client.query(
      `INSERT INTO systems (id, name, name_folded) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded`,
      [ids, names, names.map(foldForSearch)],
    );
    for (const [id, name] of changed) this.systemNames.set(id, name);
    return ids;
  }

  /**
   * Each entry's facet combination id (migration 13), the combinations not seen before stored
   * first, as identities are: committed at once, whatever becomes of the batch.
   */
  private async combosOf(client: PoolClient, entries: PreparedEntry[]): Promise<number[]> {
    const keys = entries.map(({ head }) => entryDims(head).join('\u0000'));
    const missing = [...new Set(keys.filter((k) => !this.comboIds.has(k)))].sort();
    if (missing.length) {
      const columns = columnsOf(
        missing.map((k) => k.split('\u0000')),
        ROLLUP_DIMENSIONS.length,
      );
      const dims = ROLLUP_DIMENSIONS.join(', ');
      const unnested = `unnest(${ROLLUP_DIMENSIONS.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS d (${dims})`;
      await client.query(
        `INSERT INTO facet_combos (${dims}) SELECT * FROM ${unnested} ON CONFLICT DO NOTHING`,
        columns,
      );
      const rows = await client.query<Record<string, string> & { id: number }>(
        `SELECT c.* FROM facet_combos c JOIN ${unnested}
          ON ${ROLLUP_DIMENSIONS.map((d) => `c.${d} = d.${d}`).join(' AND ')}`,
        columns,
      );
      for (const r of rows.rows)
        this.comboIds.set(ROLLUP_DIMENSIONS.map((d) => r[d]).join('\u0000'), r.id);
    }
    return keys.map((k) => this.comboIds.get(k)!);
  }

  private async identityIdsFor(client: PoolClient, texts: string[]): Promise<void> {
    const missing = [...new Set(texts.filter((t) => !this.identityIds.has(t)))].sort();
    if (missing.length === 0) return;
    await client.query(
      'INSERT INTO identities (text) SELECT unnest($1::text[]) ON CONFLICT (text) DO NOTHING',
      [missing],
    );
    const rows = await client.query<{ id: number; text: string }>(
      'SELECT id, text FROM identities WHERE text = ANY($1::text[])',
      [missing],
    );
    if (this.identityIds.size + rows.rows.length > 500_000) this.identityIds.clear();
    for (const r of rows.rows) this.identityIds.set(r.text, r.id);
  }

  private async writeEntries(
    client: PoolClient,
    prepared: PreparedEntry[],
    combos: number[],
  ): Promise<Array<'accepted' | 'duplicate'>> {
    if (prepared.length === 0) return [];
    const texts = prepared.map((p) => p.identity);
    const entries = prepared.map((p) => p.head);
    // A changeId twice in one batch: the first is the entry, the rest are duplicates.
    const firstIndex = new Map<string, number>();
    const rows: unknown[][] = [];
    entries.forEach((e, i) => {
      if (firstIndex.has(e.changeId)) return;
      firstIndex.set(e.changeId, i);
      rows.push(entryRowValues(prepared[i]!, this.identityIds.get(texts[i]!)!));
    });
    const inserted = await client.query<{ change_id: string; seq: number }>(
      INSERT_ENTRIES,
      columnsOf(rows, ENTRY_COLUMNS.length),
    );
    const seqOf = new Map(inserted.rows.map((r) => [r.change_id, Number(r.seq)]));
    const stored: unknown[][] = [];
    for (const [changeId, i] of firstIndex) {
      const seq = seqOf.get(changeId);
      if (seq === undefined) continue;
      const p = prepared[i]!;
      const words = indexedWords(p.doc, p.head.errorCode);
      stored.push([seq, Date.parse(p.head.time), combos[i], words && words.join(' ')]);
    }
    if (stored.length) await client.query(INSERT_WORDS, columnsOf(stored, 4));
    const outcomes: Array<'accepted' | 'duplicate'> = [];
    const acc = new BatchAccounting();
    // Failures of this batch that an entry earlier in it resolved already.
    const resolvedHere = new Set<string>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const seq = seqOf.get(e.changeId);
      if (seq === undefined || firstIndex.get(e.changeId) !== i) {
        outcomes.push('duplicate');
        continue;
      }
      outcomes.push('accepted');
      const time = Date.parse(e.time);
      let retryInSameTask = false;
      if (e.status === 'failure' && !resolvedHere.has(e.changeId)) {
        // Arriving after the retry or confirmation that made it good: resolved as it is stored.
        const later = await client.query<{ change_id: string; task_id: string | null }>(
          LATER_RESOLVER,
          [e.operationId, seq, time],
        );
        const by = later.rows[0];
        if (by) {
          await client.query('UPDATE entries SET resolved_by = $1 WHERE seq = $2', [
            by.change_id,
            seq,
          ]);
          // The resolver, stored first, already counted the object if it is of the same task.
          acc.add(e, time, e.taskId !== null && by.task_id === e.taskId);
          acc.resolved(
            { task_id: e.taskId, object_type: e.objectType },
            { ...e, taskId: by.task_id },
          );
          continue;
        }
      }
      if (mayResolve(e)) {
        const resolved = await client.query<{
          change_id: string;
          task_id: string | null;
          object_type: string;
        }>(RESOLVE, [e.changeId, e.operationId, seq, time]);
        for (const r of resolved.rows) {
          resolvedHere.add(r.change_id);
          if (acc.resolved(r, e)) retryInSameTask = true;
        }
      }
      acc.add(e, time, retryInSameTask);
    }
    for (const table of ['rollup_day', 'rollup_hour'] as const) {
      const rollups: RollupRow[] = acc.rollups(table === 'rollup_day' ? 'day' : 'hour');
      if (rollups.length)
        await client.query(
          upsertRollup(table),
          columnsOf(rollups as unknown[][], ROLLUP_DIMENSIONS.length + 2),
        );
    }
    const counts = acc.taskCounts();
    if (counts.length) {
      const table = counts.map(([taskId, c]) => [taskId, ...COUNTER_COLUMNS.map((k) => c[k])]);
      await client.query(
        UPSERT_COUNTS,
        columnsOf(table as unknown[][], COUNTER_COLUMNS.length + 1),
      );
    }
    return outcomes;
  }
}
