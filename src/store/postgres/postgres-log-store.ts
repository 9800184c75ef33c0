import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { sql, type Compilable, type Expression, type SqlBool } from 'kysely';
import { ROLLUP_DIMENSIONS } from '../batch-accounting.ts';
import type { PreparedEntry } from '../entry-codec.ts';
import type { TaskInput } from '../../model/task.ts';
import { CursorCodec } from '../../query/cursor.ts';
import type { LogStore, MigrationProgress, StoreIngestResult } from '../log-store.ts';
import type { LogDatabase } from '../db-types.ts';
import { compileOnly } from '../compile-only.ts';
import { LogReader } from '../log-reader.ts';
import { ReaderBackedStore } from '../reader-backed-store.ts';
import { entryTextSql, POSTGRES_MIGRATIONS } from './migrations.ts';
import { indexedWord } from '../entry-words.ts';
import { PostgresWriter } from './postgres-writer.ts';
import { PgRunner } from './pg-runner.ts';
import { DirectoryStore } from '../directory/directory-store.ts';
import { ConfigStore } from '../config/config-store.ts';
import { OutboundStore } from '../outbound/outbound-store.ts';
import { loadOrCreateKey, SecretBox } from '../../secrets/secret-box.ts';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding provlog's tables (default `provlog`); created if missing. */
  schema?: string;
  poolSize?: number;
  /**
   * Key sealing system secrets, 64 hex digits; every process on the database needs the same
   * one. Without it: `./data/secret.key` (created on first use). Never in the database: a key
   * beside the data it protects protects nothing.
   */
  secretKeyHex?: string;
  /** Folder of the key file when no secretKeyHex is given (default ./data). */
  keyDir?: string;
  /** Told of each step of an existing schema's upgrade. */
  onMigration?: MigrationProgress;
}

// Times are epoch milliseconds in BIGINT columns: well inside a double's exact range.
const int8AsNumber = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

/** Up to this many entries of free text are read by key for a page (as on SQLite). */
const WORDS_LIST_LIMIT = 2000;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `%needle%` with LIKE's own wildcards escaped (the trigram index serves it). */
const likePattern = (folded: string) => `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The production log store: PostgreSQL, shared by many provlog processes. */
export class PostgresLogStore extends ReaderBackedStore implements LogStore {
  readonly kind = 'postgres' as const;
  private closed = false;

  /** The hub directory, in the same database. */
  readonly directory: DirectoryStore;
  /** Systems and jobs, in the same database; their secrets sealed with a key kept apart. */
  readonly config: ConfigStore;
  /** Outbound jobs' watermarks and quarantine, in the same database. */
  readonly outbound: OutboundStore;

  private constructor(
    readonly pool: pg.Pool,
    private readonly writer: PostgresWriter,
    protected readonly reader: LogReader,
    cursors: CursorCodec,
    secrets: SecretBox,
  ) {
    super();
    const runner = new PgRunner(pool);
    this.directory = new DirectoryStore(runner, compileOnly('postgres'), cursors);
    this.config = new ConfigStore(runner, compileOnly('postgres'), secrets);
    this.outbound = new OutboundStore(runner, compileOnly('postgres'));
  }

  static async connect(opts: PostgresStoreOptions | string): Promise<PostgresLogStore> {
    const o = typeof opts === 'string' ? { connectionString: opts } : opts;
    const schema = o.schema ?? 'provlog';
    const secrets = SecretBox.fromKey(loadOrCreateKey(resolve(o.keyDir ?? 'data'), o.secretKeyHex));
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    const pool = new pg.Pool({
      connectionString: o.connectionString,
      max: o.poolSize ?? 8,
      // JIT compiling a facet count took it 70 ms more than it saved; provlog's queries are short.
      // A search's bitmap of a common word's entries turned lossy in 4 MB (the default), and
      // every entry of a page it marked was read again: 32 MB keeps them exact.
      options: `-c search_path=${schema},public -c jit=off -c work_mem=32MB`,
      types: int8AsNumber,
    });
    try {
      await migrate(pool, schema, o.onMigration);
      const key = await cursorKey(pool);
      const qb = compileOnly<LogDatabase>('postgres');
      const cursors = new CursorCodec(key);
      const run = async <T>(query: Compilable): Promise<T[]> => {
        const c = query.compile();
        return (await pool.query(c.sql, c.parameters as unknown[])).rows as T[];
      };
      const frequencies = wordFrequencies(pool);
      const reader = new LogReader(
        qb,
        run,
        {
          // PostgreSQL's planner weighs the filters itself; nothing to hide.
          unindexed: (column) => sql.ref(column),
          contains: (haystack, needle) => sql`strpos(${haystack}, ${needle}) > 0`,
          wordsMatch: async (words, counting) => {
            const match = await wordsMatchSql(pool, words, frequencies);
            // Read entry by entry: the entry's own row, and its words beside it by key.
            const where = match.onEntries;
            if (counting) return { where };
            const onSeq = (seq: Expression<unknown>) =>
              sql<SqlBool>`EXISTS (SELECT 1 FROM entry_words w
                WHERE w.seq = ${seq} AND (${match.indexed} OR ${match.unindexed}))`;
            // A first page of few matches reads them by key: ordered by time, the planner would
            // walk the time index, checking every entry against a match its estimate (of word
            // starts) often puts far too high. Of more, the page walks the time index and looks
            // each entry's words up by key (~4 µs): gathering the seqs of more matches to hash
            // them read a words row each (14,000 matches: ~90 ms).
            // The entries of too many words apart: asked in one condition (OR), the planner
            // would gather every match of a common word from the index before the first row.
            const limit = WORDS_LIST_LIMIT + 1;
            const probe =
              sql`(SELECT w.seq FROM entry_words w WHERE ${match.indexed} LIMIT ${limit})
              UNION ALL (SELECT w.seq FROM entry_words w WHERE ${match.unindexed} LIMIT ${limit})`.compile(
                qb,
              );
            const found = await pool.query<{ seq: number }>(probe.sql, [...probe.parameters]);
            if (found.rows.length > WORDS_LIST_LIMIT) return { where, onSeq };
            const seqs = found.rows.map((r) => r.seq);
            return { all: () => ({ seqs: sql`SELECT unnest(${seqs}::bigint[])`, few: true }) };
          },
          // Facets of free text count the matches' combinations in entry_words, no entry read:
          // those the index finds, then (apart, so that the planner estimates the first by the
          // index alone) the entries of too many words and the change id's entry.
          countWords: async (words, change, range, combos) => {
            const match = await wordsMatchSql(pool, words, frequencies);
            const ids = (await run<{ id: number }>(combos)).map((r) => r.id);
            const count = (where: Expression<SqlBool>) =>
              sql<Record<string, unknown>>`SELECT ${sql.join(
                ROLLUP_DIMENSIONS.map((d) => sql.ref(`c.${d}`)),
              )}, m.n FROM (
                  SELECT w.combo, count(*) AS n FROM entry_words w
                  WHERE ${where}
                    ${range.from !== undefined ? sql`AND w.time >= ${range.from}` : sql``}
                    ${range.to !== undefined ? sql`AND w.time <= ${range.to}` : sql``}
                  GROUP BY w.combo
                  -- Kept from the planner, which would check the list on every entry counted.
                  OFFSET 0
                ) m JOIN facet_combos c ON c.id = m.combo
                -- The combinations the other filters select, of the few hundred counted.
                WHERE m.combo = ANY(${ids}::int[])`.compile(qb);
            const rest = sql<SqlBool>`(${match.unindexed}
              OR (w.seq = (SELECT seq FROM entries WHERE change_id = ${change})
                AND NOT coalesce(${match.indexed} OR ${match.unindexed}, false)))`;
            const rows = [];
            for (const query of [count(match.indexed), count(rest)])
              rows.push(...(await pool.query(query.sql, [...query.parameters])).rows);
            return rows;
          },
          // `+ 0` keeps the planner off the column's index; a list of constants it hashes.
          walkIdsIn: (column, ids) => sql<SqlBool>`(${sql.ref(column)} + 0) = ANY(${ids}::int[])`,
          // Under an OR the IN is not made a join (which read every entry of 10,000 identities
          // through their index to sort them: 70 ms for "eli"): a hashed set the walk of the
          // time index checks (16 ms).
          walkSubquery: (column, subquery) =>
            sql<SqlBool>`(${sql.ref(column)} IN (${subquery}) OR FALSE)`,
          idsIn: (column, ids) => sql<SqlBool>`${sql.ref(column)} = ANY(${ids}::bigint[])`,
          // The page's seqs as an array: read by key, never by walking the time index.
          amongIdentityPage: (ids, page, limit) =>
            sql<SqlBool>`seq = ANY(ARRAY(SELECT p.seq FROM unnest(${ids}::int[]) AS i(id)
              CROSS JOIN LATERAL (${page(sql.ref('i.id'))}) AS p
              ORDER BY p.time DESC, p.seq DESC LIMIT ${limit}))`,
          identitySubquery: (folded) =>
            sql`SELECT id FROM identities WHERE text LIKE ${likePattern(folded)}`,
          matchIdentities: async (folded, limit) => {
            const res = await pool.query<{ id: number }>(
              'SELECT id FROM identities WHERE text LIKE $1 LIMIT $2',
              [likePattern(folded), limit],
            );
            return res.rows.map((r) => r.id);
          },
        },
        cursors,
      );
      return new PostgresLogStore(pool, new PostgresWriter(pool), reader, cursors, secrets);
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  async ingestPrepared(batch: {
    tasks: TaskInput[];
    entries: PreparedEntry[];
  }): Promise<StoreIngestResult> {
    const { renamedSystems, ...result } = await this.writer.ingestBatch(batch.tasks, batch.entries);
    for (const id of renamedSystems) this.reader.forgetSystem(id);
    return result;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    const res = await this.pool.query<{ ok: number }>('SELECT 1 AS ok');
    return res.rows[0]?.ok === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function migrate(
  pool: pg.Pool,
  schema: string,
  onMigration?: MigrationProgress,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Several provlog processes may start at once: one migrates, the others wait.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`provlog-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    // A new schema is created, not upgraded: only an upgrade is reported.
    const report = done.size > 0 ? onMigration : undefined;
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      const step = { store: `PostgreSQL schema ${schema}`, version: m.version, name: m.name };
      report?.({ ...step, done: false });
      const started = performance.now();
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      report?.({ ...step, done: true, seconds: (performance.now() - started) / 1000 });
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function cursorKey(pool: pg.Pool): Promise<Buffer> {
  const fresh = randomBytes(32).toString('hex');
  await pool.query(
    "INSERT INTO meta (key, value) VALUES ('cursor_key', $1) ON CONFLICT (key) DO NOTHING",
    [fresh],
  );
  const res = await pool.query<{ value: string }>(
    "SELECT value FROM meta WHERE key = 'cursor_key'",
  );
  return Buffer.from(res.rows[0]!.value, 'hex');
}

/**
 * Entries in which each of `words` begins a word, as conditions on an entry_words row `w`
 * (migration 13) and on an entries row. The word index is asked for the start of each word in
 * [[:alnum:]], as PostgreSQL reads it: an entry holding the word at a word's start holds an
 * indexed word beginning with that start. A word that is all start (and no longer than an
 * indexed word) is answered by the index alone; the others are checked on the entry's text
 * (PostgreSQL's lower() and [[:alnum:]] know every script in a UTF-8 database), as is each
 * entry of too many words, which keeps none.
 */
async function wordsMatchSql(
  pool: pg.Pool,
  words: string[],
  frequencies: (starts: string[]) => Promise<number[]>,
): Promise<{
  /** On an entry_words row `w`: the entries the index answers for (with their check)… */
  indexed: Expression<SqlBool>;
  /** …and those of too many words, which keep none. */
  unindexed: Expression<SqlBool>;
  /** On an entries row. */
  onEntries: Expression<SqlBool>;
}> {
  // The text is made once per entry and matched against every word's pattern (ALL).
  const check = (some: string[], alias: string) => {
    const patterns = some.map((w) => `(^|[^[:alnum:]])${escapeRegex(w)}`);
    const text = entryTextSql(`${alias}.doc`, `${alias}.error_code`);
    return sql<SqlBool>`${sql.raw(text)} ~ ALL(${patterns}::text[])`;
  };
  const entryOf = (cond: Expression<SqlBool>) =>
    sql<SqlBool>`EXISTS (SELECT 1 FROM entries e WHERE e.seq = w.seq AND ${cond})`;
  const { rows } = await pool.query<{ word: string; start: string | null }>(
    `SELECT w AS word, substring(w from '^[[:alnum:]]+') AS start FROM unnest($1::text[]) AS w`,
    [words],
  );
  const started = rows.filter((r): r is { word: string; start: string } => r.start !== null);
  if (started.length === 0) {
    const all = entryOf(check(words, 'e'));
    return {
      indexed: all,
      unindexed: sql<SqlBool>`FALSE`,
      onEntries: check(words, 'entries'),
    };
  }
  const starts = [...new Set(started.map((r) => indexedWord(r.start)))];
  const tsquery = (some: string[]) =>
    some.map((start) => `'${start.replaceAll("'", "''")}':*`).join(' & ');
  const unanswered = words.filter((w) =>
    started.every((r) => r.word !== w || r.start !== w || indexedWord(w) !== w),
  );
  // With several words, those most entries say are checked on what the others find: the index
  // reads a prefix's every match before an AND (a word nine entries in ten say: ~1,000,000).
  // ts_match_vq is @@ as a function, which the planner does not take to the index. Only words
  // at least half the entries say: with one less common checked so, the planner read the table
  // rather than AND two look-ups ('servicen read', 587 matches: 688 ms against 63). When every
  // word is common, the least common is looked up (and the planner, taking the words for
  // independent, reads the table for a first page: quick for words said together, the whole
  // table for two never said together — 'corp assign', ~0.5 s; their AND in the index took
  // ~0.12 s there but 0.2–0.35 s for pairs said together, the usual case).
  const freq = starts.length > 1 ? await frequencies(starts) : starts.map(() => 0);
  const rarest = Math.min(...freq);
  const looked = starts.filter((_, i) => freq[i]! < COMMON_WORD || freq[i] === rarest);
  const common = starts.filter((start) => !looked.includes(start));
  const found = common.length
    ? sql<SqlBool>`(w.words @@ ${tsquery(looked)}::tsquery AND ts_match_vq(w.words, ${tsquery(common)}::tsquery))`
    : sql<SqlBool>`w.words @@ ${tsquery(looked)}::tsquery`;
  const parts = (wrap: (c: Expression<SqlBool>) => Expression<SqlBool>, alias: string) => ({
    indexed: unanswered.length
      ? sql<SqlBool>`(${found} AND ${wrap(check(unanswered, alias))})`
      : found,
    unindexed: sql<SqlBool>`(w.words IS NULL AND ${wrap(check(words, alias))})`,
  });
  const onW = parts(entryOf, 'e');
  const onE = parts((c) => c, 'entries');
  return {
    ...onW,
    onEntries: sql<SqlBool>`EXISTS (SELECT 1 FROM entry_words w
      WHERE w.seq = entries.seq AND (${onE.indexed} OR ${onE.unindexed}))`,
  };
}

/** A word at least this share of entries begins is checked only where other words are looked up. */
const COMMON_WORD = 0.5;

/**
 * The share of entries in which each start begins a word, as far as PostgreSQL's statistics of
 * `entry_words.words` tell (its most common words, from ANALYZE): the highest share of a word
 * it begins, 0 for none listed. Read again every ten minutes.
 */
function wordFrequencies(pool: pg.Pool): (starts: string[]) => Promise<number[]> {
  let common: { at: number; words: Array<[string, number]> } | undefined;
  return async (starts) => {
    if (!common || Date.now() - common.at > 600_000) {
      const { rows } = await pool.query<{ words: string[] | null; freqs: number[] | null }>(
        `SELECT most_common_elems::text::text[] AS words, most_common_elem_freqs AS freqs
          FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'entry_words'
            AND attname = 'words'`,
      );
      const [row] = rows;
      common = {
        at: Date.now(),
        words: (row?.words ?? []).map((w, i) => [w, row!.freqs![i]!] as [string, number]),
      };
    }
    const list = common.words;
    return starts.map((start) =>
      list.reduce((max, [w, f]) => (f > max && w.startsWith(start) ? f : max), 0),
    );
  };
}
