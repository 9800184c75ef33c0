import { randomBytes } from 'node:crypto';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql, type Compilable, type SqlBool, type Expression, type ExpressionBuilder } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Entry, EntryDetail } from '../../model/entry.ts';
import type { Task, TaskInput } from '../../model/task.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import type { TaskFilter } from '../../query/task-filter.ts';
import { CursorCodec } from '../../query/cursor.ts';
import type { Facets, LogStore, Page, PageRequest, StoreIngestResult } from '../log-store.ts';
import { FACET_COLUMNS, type LogDatabase } from '../db-types.ts';
import { afterCursor, entryConditions, type EntryWhereDialect, type ResolvedSystems } from '../entry-where.ts';
import { taskFromRow, TASK_STATUS_SQL } from '../row-mapping.ts';
import { ENTRY_SELECT_COLUMNS, entryFromColumns, type EntryRow } from '../entry-codec.ts';
import { planFacetRanges } from '../facet-ranges.ts';
import { openSqlite, type SqliteDb } from './open.ts';
import { SqliteWriter } from './sqlite-writer.ts';

/** Up to this many matching identities drive the query through their index; beyond, a time-ordered scan finds a page sooner. */
const IDENTITY_INDEX_LIMIT = 500;
const ROLLUP_FILTERS = new Set(['from', 'to', 'direction', 'status', 'action', 'objectType', 'skipReason', 'errorCode', 'sourceSystem', 'targetSystem', 'jobId', 'application']);

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  file: string;
}

/** The embedded log store: one SQLite file in WAL mode. */
export class SqliteLogStore implements LogStore {
  readonly kind = 'sqlite' as const;
  readonly db: SqliteDb;
  readonly cursors: CursorCodec;
  private readonly writer: SqliteWriter;
  private readonly qb = new Kysely<LogDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  private readonly statements = new Map<string, Statement>();
  private readonly dialect: EntryWhereDialect;
  private readonly systemNames = new Map<string, string>();

  constructor(opts: SqliteStoreOptions) {
    this.db = openSqlite(opts.file);
    this.cursors = new CursorCodec(this.cursorKey());
    this.writer = new SqliteWriter(this.db);
    this.dialect = {
      unindexed: (column) => sql.raw(`+"${column}"`),
      textMatch: (eb, scope, folded) => this.textMatch(eb, scope, folded),
    };
  }

  private cursorKey(): Buffer {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'cursor_key'").pluck().get() as string | undefined;
    if (row) return Buffer.from(row, 'hex');
    const key = randomBytes(32);
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('cursor_key', ?)").run(key.toString('hex'));
    return key;
  }

  private run<T>(query: Compilable): T[] {
    const compiled = query.compile();
    let stmt = this.statements.get(compiled.sql);
    if (!stmt) {
      stmt = this.db.prepare(compiled.sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(compiled.sql, stmt);
    }
    return stmt.all(...(compiled.parameters as unknown[])) as T[];
  }

  private textMatch(eb: ExpressionBuilder<LogDatabase, 'entries'>, scope: 'identity' | 'all', folded: string): Expression<SqlBool> {
    const ids = this.matchIdentities(folded);
    const identity =
      ids.length > IDENTITY_INDEX_LIMIT
        ? sql<SqlBool>`+${eb.ref('identity_id')} IN (SELECT id FROM identities WHERE instr(text, ${folded}) > 0)`
        : ids.length === 0
          ? sql<SqlBool>`1 = 0`
          : sql<SqlBool>`${eb.ref('identity_id')} IN (${sql.join(ids)})`;
    if (scope === 'identity') return identity;
    return eb.or([
      identity,
      eb('change_id', '=', folded),
      sql<SqlBool>`lower(${eb.ref('error_code')}) = ${folded}`,
      sql<SqlBool>`instr(lower(${eb.ref('doc')}), ${folded}) > 0`,
    ]);
  }

  /** Ids of identities containing the folded text: trigram index for 3+ characters, a scan of the (small) dictionary below. */
  private matchIdentities(folded: string): number[] {
    const limit = IDENTITY_INDEX_LIMIT + 1;
    if ([...folded].length >= 3) {
      return this.db
        .prepare('SELECT rowid FROM identities_text WHERE identities_text MATCH ? LIMIT ?')
        .pluck()
        .all(`"${folded.replaceAll('"', '""')}"`, limit) as number[];
    }
    return this.db.prepare('SELECT id FROM identities WHERE instr(text, ?) > 0 LIMIT ?').pluck().all(folded, limit) as number[];
  }

  private systemName = (id: string): string => {
    let name = this.systemNames.get(id);
    if (name === undefined) {
      name = (this.db.prepare('SELECT name FROM systems WHERE id = ?').pluck().get(id) as string | undefined) ?? id;
      this.systemNames.set(id, name);
    }
    return name;
  };

  /** System filters name systems by id or by name; application by part of a name. */
  private resolveSystems(filter: EntryFilter): ResolvedSystems {
    const out: ResolvedSystems = {};
    const byIdOrName = (values: string[]) => {
      const folded = values.map((v) => v.normalize('NFKC').toLowerCase());
      const rows = this.db
        .prepare(`SELECT id FROM systems WHERE id IN (SELECT value FROM json_each(?)) OR name_folded IN (SELECT value FROM json_each(?))`)
        .pluck()
        .all(JSON.stringify(values), JSON.stringify(folded)) as string[];
      return rows;
    };
    if (filter.sourceSystem) out.sourceSystem = byIdOrName(filter.sourceSystem);
    if (filter.targetSystem) out.targetSystem = byIdOrName(filter.targetSystem);
    if (filter.application) {
      const needle = filter.application.normalize('NFKC').toLowerCase();
      out.application = this.db.prepare('SELECT id FROM systems WHERE instr(name_folded, ?) > 0').pluck().all(needle) as string[];
    }
    return out;
  }

  async ingest(batch: { tasks: TaskInput[]; entries: Entry[] }): Promise<StoreIngestResult> {
    return this.ingestSync(batch);
  }

  /** Synchronous ingest, for in-process engines and the benchmark. */
  ingestSync(batch: { tasks: TaskInput[]; entries: Entry[] }): StoreIngestResult {
    return this.writer.ingestBatch(batch.tasks, batch.entries);
  }

  async listEntries(filter: EntryFilter, page: PageRequest): Promise<Page<Entry>> {
    const systems = this.resolveSystems(filter);
    const pos = page.cursor ? this.cursors.decode('entries', page.cursor) : undefined;
    const query = this.qb
      .selectFrom('entries')
      .select([...ENTRY_SELECT_COLUMNS])
      .where((eb) => {
        const conds = entryConditions(eb, filter, systems, this.dialect);
        if (pos) conds.push(afterCursor(eb, pos));
        return eb.and(conds);
      })
      .orderBy('time', 'desc')
      .orderBy('seq', 'desc')
      .limit(page.limit + 1);
    const rows = this.run<EntryRow & { seq: number }>(query);
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const now = Date.now();
    return {
      items: items.map((r) => entryFromColumns(r, this.systemName, now)),
      nextCursor: more && last ? this.cursors.encode('entries', { t: last.time, s: last.seq }) : null,
    };
  }

  async facets(filter: EntryFilter): Promise<Facets> {
    const systems = this.resolveSystems(filter);
    const facets: Facets = Object.fromEntries(Object.keys(FACET_COLUMNS).map((f) => [f, {}]));
    const add = (row: Record<string, unknown>, n: number) => {
      for (const [field, column] of Object.entries(FACET_COLUMNS)) {
        const value = row[column];
        if (value === null || value === '' || value === undefined) continue;
        const bucket = facets[field]!;
        bucket[value as string] = (bucket[value as string] ?? 0) + n;
      }
    };
    const columns = Object.values(FACET_COLUMNS);
    const rollupOk = Object.keys(filter).every((k) => ROLLUP_FILTERS.has(k));
    if (rollupOk) {
      const plan = planFacetRanges(filter.from, filter.to);
      const { from: _f, to: _t, ...dimFilter } = filter;
      for (const [table, ranges] of [['rollup_day', plan.days], ['rollup_hour', plan.hours]] as const) {
        for (const [a, b] of ranges) {
          const q = this.qb
            .selectFrom(table)
            .select([...columns, 'n'])
            .where((eb) => eb.and([eb('bucket', '>=', a), eb('bucket', '<', b), ...entryConditions(eb as never, dimFilter, systems, this.dialect)]));
          for (const row of this.run<Record<string, unknown> & { n: number }>(q)) add(row, row.n);
        }
      }
      for (const [a, b] of plan.raw) this.rawFacets({ ...dimFilter, from: a, to: b - 1 }, systems, add);
    } else {
      this.rawFacets(filter, systems, add);
    }
    return this.nameSystems(facets);
  }

  private rawFacets(filter: EntryFilter, systems: ResolvedSystems, add: (row: Record<string, unknown>, n: number) => void): void {
    const columns = Object.values(FACET_COLUMNS);
    const q = this.qb
      .selectFrom('entries')
      .select([...columns, sql<number>`count(*)`.as('n')])
      .where((eb) => eb.and(entryConditions(eb, filter, systems, this.dialect)))
      .groupBy(columns);
    for (const row of this.run<Record<string, unknown> & { n: number }>(q)) add(row, row.n);
  }

  private nameSystems(facets: Facets): Facets {
    const names = new Map((this.db.prepare('SELECT id, name FROM systems').all() as Array<{ id: string; name: string }>).map((r) => [r.id, r.name]));
    for (const field of ['sourceSystem', 'targetSystem']) {
      const byName: Record<string, number> = {};
      for (const [id, n] of Object.entries(facets[field] ?? {})) {
        const name = names.get(id) ?? id;
        byName[name] = (byName[name] ?? 0) + n;
      }
      facets[field] = byName;
    }
    return facets;
  }

  async getEntry(changeId: string): Promise<EntryDetail | undefined> {
    const cols = ENTRY_SELECT_COLUMNS.join(', ');
    const row = this.db.prepare(`SELECT ${cols} FROM entries WHERE change_id = ?`).get(changeId) as EntryRow | undefined;
    if (!row) return undefined;
    const related = this.db
      .prepare(`SELECT ${cols} FROM entries WHERE operation_id = ? ORDER BY time, seq LIMIT 1000`)
      .all(row.operation_id) as EntryRow[];
    const now = Date.now();
    return {
      ...entryFromColumns(row, this.systemName, now),
      relatedAttempts: related.map((r) => {
        const e = entryFromColumns(r, this.systemName, now);
        return { changeId: e.changeId, time: e.time, status: e.status, action: e.action, attempt: e.attempt, errorCode: e.errorCode, taskId: e.taskId };
      }),
    };
  }

  async listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    const pos = page.cursor ? this.cursors.decode('tasks', page.cursor) : undefined;
    const conds: string[] = [];
    const params: unknown[] = [];
    if (filter.from !== undefined) conds.push('t.started_at >= ?') && params.push(filter.from);
    if (filter.to !== undefined) conds.push('t.started_at <= ?') && params.push(filter.to);
    const inList = (column: string, values: readonly string[] | undefined) => {
      if (!values) return;
      conds.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    inList('t.direction', filter.direction);
    inList('t.trigger_module', filter.triggerModule);
    inList('t.job_id', filter.jobId);
    inList(`(${TASK_STATUS_SQL})`, filter.status);
    if (pos) {
      conds.push('t.started_at <= ? AND (t.started_at < ? OR t.seq < ?)');
      params.push(pos.t, pos.t, pos.s);
    }
    const rows = this.db
      .prepare(`SELECT t.seq, t.started_at, t.doc, c.* FROM tasks t LEFT JOIN task_counts c ON c.task_id = t.id
        ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY t.started_at DESC, t.seq DESC LIMIT ?`)
      .all(...params, page.limit + 1) as Array<{ seq: number; started_at: number; doc: string }>;
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map((r) => taskFromRow(r)),
      nextCursor: more && last ? this.cursors.encode('tasks', { t: last.started_at, s: last.seq }) : null,
    };
  }

  async getTask(id: string): Promise<Task | undefined> {
    const row = this.db.prepare('SELECT t.doc, c.* FROM tasks t LEFT JOIN task_counts c ON c.task_id = t.id WHERE t.id = ?').get(id) as
      | { doc: string }
      | undefined;
    return row ? taskFromRow(row) : undefined;
  }

  /** Refreshes the planner's statistics; call after bulk loads. */
  optimize(): void {
    this.db.pragma('optimize');
  }

  async ping(): Promise<boolean> {
    return this.db.prepare('SELECT 1').pluck().get() === 1;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.db.pragma('optimize');
    this.db.close();
  }
}
