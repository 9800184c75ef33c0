import { foldForSearch } from '../../model/fold-text.ts';
import type { TaskInput } from '../../model/task.ts';
import type { StoreIngestResult } from '../log-store.ts';
import {
  BatchAccounting,
  COUNTER_COLUMNS,
  mayResolve,
  ROLLUP_DIMENSIONS,
  untracedDelta,
} from '../batch-accounting.ts';
import { entryRowValues, taskRowValues, type PreparedEntry } from '../entry-codec.ts';
import type { SqliteDb } from './open.ts';
import { textHash } from '../text-hash.ts';
import { INDEXED_THROUGH, WORDS_INDEXED_THROUGH } from './migrations.ts';

const ROLLUP_DIMS = ROLLUP_DIMENSIONS.join(', ');

/**
 * The values of an entries row as this store keeps them (entryRowValues' order): a first
 * attempt's operation id is its change id, and is left out (migration 9).
 */
export function sqliteEntryRowValues(p: PreparedEntry, identityId: number): unknown[] {
  const values = entryRowValues(p, identityId);
  if (p.head.operationId === p.head.changeId) values[5] = null;
  return values;
}

/**
 * The write path of the embedded store: one transaction per batch, prepared statements only
 * (this is the ingest hot path — no query builder here), derived counts updated alongside.
 */
export class SqliteWriter {
  private readonly insertEntry;
  private readonly selectIdentity;
  private readonly insertIdentity;
  private readonly insertIdentityText;
  private readonly indexedThrough;
  private readonly setIndexedThrough;
  /**
   * Adds the trigrams of identities written since the last call, in a transaction of its own;
   * returns how many. Until then searches find them by scanning that tail (sqlite-log-store.ts).
   */
  readonly indexIdentities: () => number;
  /** How many identities wait for their trigrams (see indexIdentities). */
  unindexed: number;
  /**
   * Adds the words of up to `limit` entries the free-text index has not reached, oldest first,
   * in a transaction of its own; returns how many. Searches read the entries beyond it one by
   * one (sqlite-log-store.ts), so indexing waits until the writer is idle: it costs about as
   * much per entry as storing one.
   */
  readonly indexWords: (limit: number) => number;
  /** Folded identity text → id; bounded, misses fall back to the unique index. */
  private readonly identityIds = new Map<string, number>();
  private readonly upsertDay;
  private readonly upsertHour;
  private readonly upsertCounts;
  private readonly resolveFailures;
  private readonly openFailureOps;
  private readonly laterResolver;
  private readonly markResolved;
  private readonly selectTaskDoc;
  private readonly upsertTask;
  private readonly upsertSystem;
  private readonly systemNames = new Map<string, string>();
  private readonly insertFacets;
  private readonly selectCombo;
  private readonly insertCombo;
  /** Facet combinations (migration 12) by their dimensions joined (BatchAccounting.dimsOf). */
  private readonly comboIds = new Map<string, number>();
  private renamed: string[] = [];
  readonly ingestBatch: (tasks: TaskInput[], entries: PreparedEntry[]) => StoreIngestResult;
  /**
   * Runs `fn` in one transaction: the batches it stores share one commit, each in a savepoint
   * of its own (a batch that fails is undone alone). Throws, having rolled back, if the commit does.
   */
  readonly together: <T>(fn: () => T) => T;

  constructor(private readonly db: SqliteDb) {
    this.insertEntry = db.prepare(`INSERT OR IGNORE INTO entries
      (change_id, time, task_id, job_id, cycle_id, operation_id, direction, status, action, object_type,
       skip_reason, error_code, trigger_module, trigger_method, source, source_system_id, target_system_id,
       application_id, identity_id, retry_at, doc)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    this.insertFacets = db.prepare('INSERT INTO entry_facets (seq, time, combo) VALUES (?,?,?)');
    this.selectCombo = db
      .prepare(
        `SELECT id FROM facet_combos WHERE ${ROLLUP_DIMENSIONS.map((d) => `${d} = ?`).join(' AND ')}`,
      )
      .pluck();
    this.insertCombo = db.prepare(
      `INSERT INTO facet_combos (${ROLLUP_DIMS}) VALUES (${ROLLUP_DIMENSIONS.map(() => '?').join(',')})`,
    );
    this.selectIdentity = db
      .prepare('SELECT id FROM identities WHERE hash = ? AND text = ?')
      .pluck();
    this.insertIdentity = db.prepare('INSERT INTO identities (text, hash) VALUES (?, ?)');
    // New identities get their trigram index in one statement for all, not one per row.
    this.insertIdentityText = db.prepare(
      'INSERT INTO identities_text (rowid, text) SELECT id, text FROM identities WHERE id > ?',
    );
    this.indexedThrough = db.prepare(INDEXED_THROUGH).pluck();
    this.setIndexedThrough = db.prepare(
      "UPDATE meta SET value = CAST((SELECT coalesce(max(id), 0) FROM identities) AS TEXT) WHERE key = 'identities_indexed'",
    );
    const index = db.transaction(() => {
      const through = (this.indexedThrough.get() as number | undefined) ?? 0;
      const n = this.insertIdentityText.run(through).changes;
      if (n) this.setIndexedThrough.run();
      return n;
    });
    this.indexIdentities = () => {
      const n = index();
      this.unindexed = 0;
      return n;
    };
    const wordsThrough = db.prepare(WORDS_INDEXED_THROUGH).pluck();
    const lastToIndex = db
      .prepare('SELECT seq FROM entries WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?')
      .pluck();
    const lastEntry = db.prepare('SELECT max(seq) FROM entries').pluck();
    // A step's texts are tokenized a second time, by the same tokenizer, into an index of their
    // own on this connection (in memory), whose words are added to the list of indexed words
    // (migration 13): SQLite tokenizes in a third of the time JavaScript takes.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS words_step (seq INTEGER PRIMARY KEY, text TEXT NOT NULL);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_step_index USING fts5(
        text, content='', tokenize='unicode61 remove_diacritics 0', detail=none, columnsize=0);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_step_words
        USING fts5vocab(temp, words_step_index, row);`);
    const fillStep = db.prepare(`INSERT INTO words_step (seq, text)
      SELECT seq, provlog_entry_text(doc, error_code) FROM entries WHERE seq > ? AND seq <= ?`);
    const indexStep = [
      db.prepare('INSERT INTO entries_words (rowid, text) SELECT seq, text FROM words_step'),
      db.prepare('INSERT INTO words_step_index (rowid, text) SELECT seq, text FROM words_step'),
      db.prepare('INSERT OR IGNORE INTO indexed_words (word) SELECT term FROM words_step_words'),
      db.prepare("INSERT INTO words_step_index (words_step_index) VALUES ('delete-all')"),
      db.prepare('DELETE FROM words_step'),
    ];
    const setWordsThrough = db.prepare(
      "UPDATE meta SET value = CAST(CAST(? AS INTEGER) AS TEXT) WHERE key = 'words_indexed'",
    );
    this.indexWords = db.transaction((limit: number) => {
      const from = (wordsThrough.get() as number | undefined) ?? 0;
      const through =
        (lastToIndex.get(from, limit - 1) as number | undefined) ??
        (lastEntry.get() as number | null) ??
        from;
      if (through <= from) return 0;
      const n = fillStep.run(from, through).changes;
      for (const statement of indexStep) statement.run();
      setWordsThrough.run(through);
      return n;
    });
    this.unindexed = db
      .prepare(`SELECT count(*) FROM identities WHERE id > (${INDEXED_THROUGH})`)
      .pluck()
      .get() as number;
    const upsertRollup = (table: string) =>
      db.prepare(`INSERT INTO ${table} (bucket, ${ROLLUP_DIMS}, n) VALUES (?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT DO UPDATE SET n = n + excluded.n`);
    this.upsertDay = upsertRollup('rollup_day');
    this.upsertHour = upsertRollup('rollup_hour');
    this.upsertCounts = db.prepare(`INSERT INTO task_counts (task_id, ${COUNTER_COLUMNS.join(', ')})
      VALUES (?, ${COUNTER_COLUMNS.map(() => '?').join(', ')})
      ON CONFLICT (task_id) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`);
    // An operation's entries: its first attempt by change id, later ones by operation id (stored
    // only where it is not the change id, migration 9). The statements using it read the rows by
    // seq alone (NOT INDEXED): a planner that scans every failure instead finds the same rows.
    const ofOperation = `seq IN (SELECT seq FROM entries WHERE change_id = @op
      UNION ALL SELECT seq FROM entries WHERE operation_id = @op)`;
    // Earlier unresolved failures of the same operation, made good by this entry.
    this.resolveFailures = db.prepare(`UPDATE entries NOT INDEXED SET resolved_by = @by
      WHERE ${ofOperation} AND status = 'failure' AND resolved_by IS NULL AND seq <> @seq
        AND (time < @time OR (time = @time AND seq < @seq))
      RETURNING task_id, object_type`);
    // One probe per batch for the operations that have a failure waiting to be resolved.
    this.openFailureOps = db
      .prepare(
        `SELECT DISTINCT coalesce(operation_id, change_id) FROM entries NOT INDEXED
        WHERE seq IN (SELECT seq FROM entries WHERE change_id IN (SELECT value FROM json_each(@ops))
          UNION ALL SELECT seq FROM entries WHERE operation_id IN (SELECT value FROM json_each(@ops)))
        AND status = 'failure' AND resolved_by IS NULL`,
      )
      .pluck();
    // A failure that arrives after the retry or confirmation that made it good (engines may
    // send out of order) is resolved as it is stored.
    this.laterResolver = db.prepare(`SELECT change_id, task_id FROM entries NOT INDEXED
      WHERE ${ofOperation} AND seq <> @seq AND time > @time
        AND (action = 'confirm' OR (status = 'success' AND operation_id IS NOT NULL))
      ORDER BY time, seq LIMIT 1`);
    this.markResolved = db.prepare('UPDATE entries SET resolved_by = ? WHERE seq = ?');
    this.selectTaskDoc = db.prepare('SELECT doc FROM tasks WHERE id = ?').pluck();
    this.upsertTask = db.prepare(`INSERT INTO tasks
      (id, job_id, cycle_id, parent_task_id, direction, trigger_module, trigger_module_name, trigger_method,
       source, started_at, ended_at, initial, event, error_code, reason, doc)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
      ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, cycle_id = excluded.cycle_id,
        parent_task_id = excluded.parent_task_id, direction = excluded.direction,
        trigger_module = excluded.trigger_module, trigger_module_name = excluded.trigger_module_name,
        trigger_method = excluded.trigger_method, source = excluded.source, started_at = excluded.started_at,
        ended_at = excluded.ended_at, initial = excluded.initial, event = excluded.event,
        error_code = excluded.error_code, reason = excluded.reason, doc = excluded.doc`);
    this.upsertSystem = db.prepare(`INSERT INTO systems (id, name, name_folded) VALUES (?,?,?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded`);
    for (const row of db.prepare('SELECT id, name FROM systems').all() as Array<{
      id: string;
      name: string;
    }>) {
      this.systemNames.set(row.id, row.name);
    }
    const write = db.transaction((tasks: TaskInput[], entries: PreparedEntry[]) => ({
      tasks: tasks.map((t) => this.writeTask(t)),
      entries: this.writeEntries(entries),
    }));
    const forgetCached = () => {
      // A transaction rolled back: ids cached during it may not exist.
      this.identityIds.clear();
      this.systemNames.clear();
      this.comboIds.clear();
    };
    this.ingestBatch = (tasks, entries) => {
      try {
        return write(tasks, entries);
      } catch (err) {
        forgetCached();
        throw err;
      }
    };
    const group = db.transaction((fn: () => unknown) => fn());
    this.together = <T>(fn: () => T): T => {
      try {
        return group(fn) as T;
      } catch (err) {
        forgetCached();
        throw err;
      }
    };
  }

  /** Systems whose name changed since the last call (readers drop their cached names). */
  takeRenamedSystems(): string[] {
    const out = this.renamed;
    this.renamed = [];
    return out;
  }

  private writeTask(t: TaskInput): 'accepted' | 'duplicate' {
    const doc = JSON.stringify(t);
    const stored = this.selectTaskDoc.get(t.id) as string | undefined;
    if (stored === doc) return 'duplicate';
    this.upsertTask.run(...taskRowValues(t, doc));
    const delta = untracedDelta(stored ? (JSON.parse(stored) as TaskInput) : undefined, t);
    if (delta) this.upsertCounts.run(t.id, ...COUNTER_COLUMNS.map((k) => delta[k]));
    return 'accepted';
  }

  private noteSystem(ref: { id: string; name: string } | undefined): void {
    if (!ref || this.systemNames.get(ref.id) === ref.name) return;
    this.upsertSystem.run(ref.id, ref.name, foldForSearch(ref.name));
    if (this.systemNames.has(ref.id)) this.renamed.push(ref.id);
    this.systemNames.set(ref.id, ref.name);
  }

  private identityId(text: string): number {
    let id = this.identityIds.get(text);
    if (id !== undefined) return id;
    const hash = textHash(text);
    id = this.selectIdentity.get(hash, text) as number | undefined;
    if (id === undefined) {
      id = Number(this.insertIdentity.run(text, hash).lastInsertRowid);
      this.unindexed++;
    }
    if (this.identityIds.size >= 500_000) this.identityIds.clear();
    this.identityIds.set(text, id);
    return id;
  }

  /** The facet combination of these dimensions (migration 12), stored the first time it occurs. */
  private comboOf({ dims, key }: { dims: readonly string[]; key: string }): number {
    let id = this.comboIds.get(key);
    if (id === undefined) {
      id =
        (this.selectCombo.get(...dims) as number | undefined) ??
        Number(this.insertCombo.run(...dims).lastInsertRowid);
      this.comboIds.set(key, id);
    }
    return id;
  }

  private writeEntries(entries: PreparedEntry[]): Array<'accepted' | 'duplicate'> {
    const outcomes: Array<'accepted' | 'duplicate'> = [];
    const acc = new BatchAccounting();
    const resolvers = entries.flatMap(({ head }) => (mayResolve(head) ? [head.operationId] : []));
    const openOps = new Set(
      resolvers.length
        ? (this.openFailureOps.all({ ops: JSON.stringify(resolvers) }) as string[])
        : [],
    );
    for (const p of entries) {
      const e = p.head;
      const values = sqliteEntryRowValues(p, this.identityId(p.identity));
      const time = values[1] as number; // entryRowValues parsed it: the column order is fixed
      const info = this.insertEntry.run(...values);
      if (info.changes === 0) {
        outcomes.push('duplicate');
        continue;
      }
      outcomes.push('accepted');
      this.insertFacets.run(info.lastInsertRowid, time, this.comboOf(acc.dimsOf(e)));
      this.noteSystem(e.sourceSystem);
      this.noteSystem(e.targetSystem);
      let retryInSameTask = false;
      if (e.status === 'failure') {
        openOps.add(e.operationId);
        const seq = Number(info.lastInsertRowid);
        const later = this.laterResolver.get({ op: e.operationId, seq, time }) as
          { change_id: string; task_id: string | null } | undefined;
        if (later) {
          this.markResolved.run(later.change_id, seq);
          // The resolver, stored first, already counted the object if it is of the same task.
          acc.add(e, time, e.taskId !== null && later.task_id === e.taskId);
          acc.resolved(
            { task_id: e.taskId, object_type: e.objectType },
            { ...e, taskId: later.task_id },
          );
          continue;
        }
      } else if (openOps.has(e.operationId) && mayResolve(e)) {
        const seq = Number(info.lastInsertRowid);
        const resolved = this.resolveFailures.all({
          op: e.operationId,
          by: e.changeId,
          seq,
          time,
        }) as Array<{
          task_id: string | null;
          object_type: string;
        }>;
        for (const r of resolved) if (acc.resolved(r, e)) retryInSameTask = true;
      }
      acc.add(e, time, retryInSameTask);
    }
    for (const row of acc.rollups('day')) this.upsertDay.run(...row);
    for (const row of acc.rollups('hour')) this.upsertHour.run(...row);
    for (const [taskId, c] of acc.taskCounts())
      this.upsertCounts.run(taskId, ...COUNTER_COLUMNS.map((k) => c[k]));
    return outcomes;
  }
}
