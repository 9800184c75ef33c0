import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import {
  sql,
  type Compilable,
  type Expression,
  type Kysely,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import { StatementCache } from './statement-cache.ts';
import type { PreparedEntry } from '../entry-codec.ts';
import type { TaskInput } from '../../model/task.ts';
import { CursorCodec } from '../../query/cursor.ts';
import { entryBeginsWords, ftsWordsQuery } from '../entry-words.ts';
import { isAscii } from '../../model/fold-text.ts';
import type { LogStore, MigrationProgress, StoreIngestResult } from '../log-store.ts';
import { packBatch, type PackedBatch } from '../../ingest/packed-batch.ts';
import type { LogDatabase } from '../db-types.ts';
import { compileOnly } from '../compile-only.ts';
import { LogReader, type WordsMatch } from '../log-reader.ts';
import { ReaderBackedStore } from '../reader-backed-store.ts';
import {
  HUB_CHECKPOINT_FRAMES,
  logFileOf,
  openSqlite,
  setCacheFor,
  type SqliteDb,
} from './open.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { EntryFacets, type FacetRow } from './entry-facets.ts';
import { INDEXED_THROUGH, WORDS_INDEXED_THROUGH } from './migrations.ts';
import {
  LogWriterThread,
  type IdentityIndexing,
  type WriterAnswer,
  type WriterWork,
} from './log-writer-thread.ts';
import { SqliteRunner } from './sqlite-runner.ts';
import { WriteLock } from './write-lock.ts';
import { DirectoryStore } from '../directory/directory-store.ts';
import { ConfigStore } from '../config/config-store.ts';
import { OutboundStore } from '../outbound/outbound-store.ts';
import { loadOrCreateKey, SecretBox } from '../../secrets/secret-box.ts';

/** Up to this many entries matching free text are read by their keys; beyond, in time order. */
const WORDS_LIST_LIMIT = 2000;
/** Without a writer thread, entries' words are indexed once this many wait. */
const MAX_UNINDEXED_WORDS = 20_000;

/**
 * What an entry holding `word` must hold in SQLite's own terms, tested before the entry is
 * handed to JavaScript (most entries a search reads one by one hold none of its words): the
 * word in any case (LIKE for ASCII) or its first letter beyond ASCII, in the document
 * or error code — or, for a word a sharp s or a dotted capital I could spell ("ss", "i"), one
 * of those, which entry-words.ts respells.
 */
function mayHold(word: string): Array<Expression<SqlBool>> {
  const respelled =
    word.includes('ss') || word.includes('i')
      ? sql` OR instr(doc, 'ß') > 0 OR instr(doc, 'ẞ') > 0 OR instr(doc, 'İ') > 0`
      : sql``;
  // Beyond ASCII, its first letter beyond ASCII in either case: instr is far cheaper than LIKE
  // there (which folds ASCII only) or a GLOB of every letter's cases.
  const letter = [...word].find((c) => !isAscii(c));
  const holds = (column: string) =>
    letter === undefined
      ? sql`${sql.ref(column)} LIKE ${`%${word}%`}`
      : sql.join(
          letterForms(letter).map((f) => sql`instr(${sql.ref(column)}, ${f}) > 0`),
          sql` OR `,
        );
  return [sql<SqlBool>`(${holds('doc')} OR ${holds('error_code')}${respelled})`];
}

/**
 * A letter as it may be written: itself and its capital (and a final sigma). Signs that only
 * lower-case to a letter (the Kelvin sign to "k") are not among its forms.
 */
function letterForms(c: string): string[] {
  const forms = [c, c.toUpperCase(), ...(c === 'σ' ? ['ς', 'Σ'] : [])];
  return [...new Set(forms.filter((f) => [...f].length === 1))];
}

/** Entries in which each of `words` begins a word, read one by one (SQLite first, then JavaScript). */
function wordsCheck(words: string[]): Expression<SqlBool> {
  const said = sql<SqlBool>`provlog_begins_words(doc, error_code, ${JSON.stringify(words)})`;
  return sql<SqlBool>`(${sql.join([...words.flatMap(mayHold), said], sql` AND `)})`;
}

/** Entries past the indexed mark in which each of `words` begins a word, read one by one. */
const unindexedMatches = (through: number, words: string[]) =>
  sql`SELECT seq FROM entries WHERE seq > ${through} AND ${wordsCheck(words)}`;

/** Whether the ascending `list` holds `value`. */
function sortedHas(list: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] === value) return true;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Of more matches than this, a first page is first looked for among this many last stored. */
const LAST_STORED = 256;
/** A search word beginning more indexed words than this is looked up as a prefix. */
const WHOLE_WORDS_LIMIT = 32;

const idsIn = (column: string, ids: number[]) =>
  sql<SqlBool>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/**
 * A GLOB pattern matching texts that hold `folded`: the trigram index answers it (migration 10),
 * and SQLite checks each candidate. `*`, `?` and `[` stand for themselves in brackets.
 */
const containsPattern = (folded: string) => `*${folded.replace(/[*?[]/g, '[$&]')}*`;

/**
 * An FTS5 query for the identities holding every trigram of `folded` (3+ characters), each a
 * string of its own: a superset of those holding `folded`, which the trigrams' order decides.
 */
function trigramsQuery(folded: string): string {
  const chars = [...folded];
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  return [...trigrams].map(ftsString).join(' AND ');
}

/** An FTS5 string of `term`, quotes doubled. */
const ftsString = (term: string) => `"${term.replace(/"/g, '""')}"`;

/**
 * The identities whose text holds `folded`, as a column `id`: those the trigram index finds —
 * checked against the text (GLOB), or by their trigrams alone (a superset) — and the tail it
 * has not reached. Two characters have no trigram of their own: the identities holding a
 * trigram they begin (`beginning`, from the index's vocabulary) or ending with them (the
 * identities_tail index) — exactly those holding them. A letter reads the whole dictionary.
 */
function identitiesHolding(
  folded: string,
  by: 'text' | 'trigrams' = 'text',
  beginning: string[] = [],
): RawBuilder<unknown> {
  const tail = sql`SELECT id FROM identities
    WHERE id > (${sql.raw(INDEXED_THROUGH)}) AND instr(text, ${folded}) > 0`;
  const length = [...folded].length;
  if (length === 1) return sql`SELECT id FROM identities WHERE instr(text, ${folded}) > 0`;
  if (length === 2)
    return sql`${
      beginning.length
        ? sql`SELECT rowid AS id FROM identities_text
            WHERE identities_text MATCH ${beginning.map(ftsString).join(' OR ')} UNION `
        : sql``
    }SELECT id FROM identities
      WHERE substr(text, -2) = ${folded} AND id <= (${sql.raw(INDEXED_THROUGH)})
    UNION ALL ${tail}`;
  const indexed =
    by === 'text'
      ? sql`SELECT rowid AS id FROM identities_text WHERE text GLOB ${containsPattern(folded)}`
      : sql`SELECT rowid AS id FROM identities_text WHERE identities_text MATCH ${trigramsQuery(folded)}`;
  return sql`${indexed} UNION ALL ${tail}`;
}

/** Candidates beyond a page whose identities are checked, for those that only hold the trigrams. */
const PAGE_CHECK_SLACK = 16;
/**
 * An identity term's page is read by the identity index up to this many of its entries (a few
 * milliseconds); beyond, they are dense enough that walking back in time finds a page sooner.
 */
const IDENTITY_KEYS_CAP = 8_192;
/** The same where other filters need each entry's row read. */
const IDENTITY_ROWS_CAP = 4_096;
/**
 * Free text with an identity term: up to this many entries saying it are a set the identity
 * index's keys are checked against (~0.2 µs each to gather); beyond, each entry is read.
 */
const WORDS_SET_LIMIT = 32_768;
/** The identity index's keys read for that set, at most (guessed beforehand, ~0.7 µs each). */
const IDENTITY_SET_KEYS = 32_768;
/** Free text said by more, checked on the identity's entries newest first: up to this many. */
const IDENTITY_TEXT_KEYS = 16_384;

/** A candidate of an identity page: its seq, its identity, and (by the index) how many there were. */
type PageRow = { seq: number; id: number; n?: number };
/** Candidates of a page, `take` at most, their identities checked against the text or not. */
type Finder = (checked: boolean, take: number) => PageRow[];

/** Both conditions, where there is a first. */
const both = (a: Expression<SqlBool> | undefined, b: Expression<SqlBool>): Expression<SqlBool> =>
  a ? sql<SqlBool>`(${a} AND ${b})` : b;

export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  file: string;
  /**
   * Key sealing system secrets, 64 hex digits. Without it: `secret.key` beside the database
   * file (created on first use), or a random key for ':memory:' (secrets die with the process).
   */
  secretKeyHex?: string;
  /**
   * Write the log from a thread and connection of its own (log-writer-thread.ts), so callers
   * prepare their next batch while one is stored. Not for ':memory:' (one connection only).
   */
  writerThread?: boolean;
  /** When the writer thread indexes new identities (log-writer-main.ts; tests set it). */
  identityIndexing?: Partial<IdentityIndexing>;
  /** Told of each step of an existing store's schema upgrade (open.ts). */
  onMigration?: MigrationProgress;
}

/**
 * The embedded store, in WAL mode, written and read in-process: the hub directory, systems, jobs
 * and outbound state in one file, the log in another beside it (open.ts, logFileOf).
 */
export class SqliteLogStore extends ReaderBackedStore implements LogStore {
  readonly kind = 'sqlite' as const;
  /** The hub's connection: directory, config, outbound state. */
  readonly db: SqliteDb;
  /** The log's connection for reads (and writes without a writer thread); `db` for ':memory:'. */
  readonly logDb: SqliteDb;
  /** The log's writer: on `logDb`, or (writerThread) on a thread and connection of its own. */
  private readonly writer: SqliteWriter | undefined;
  private readonly writerThread: LogWriterThread | undefined;
  /** Only with a writer thread: a packed batch goes to it as it is (LogStore.ingestPacked). */
  readonly ingestPacked?: (batch: PackedBatch) => Promise<StoreIngestResult>;
  protected readonly reader: LogReader;
  private readonly statements: StatementCache;
  /** The trigrams a two-character term begins, as last looked up (holding). */
  private beginning?: { folded: string; through: number; terms: string[] };
  /** One transaction at a time on the hub's connection (and on the log's, when they are one). */
  private readonly writeLock = new WriteLock();
  private readonly qb: Kysely<LogDatabase>;
  /** Each entry's time and facet combination, for facets of free text. */
  private readonly entryFacets: EntryFacets;
  /** Entries stored on this thread since their words were last indexed (no writer thread). */
  private unindexedWords = 0;
  /** The hub directory. */
  readonly directory: DirectoryStore;
  /** Systems and jobs; their secrets sealed with a key kept apart. */
  readonly config: ConfigStore;
  /** Outbound jobs' watermarks and quarantine; their due retries are read from the log. */
  readonly outbound: OutboundStore;

  constructor(opts: SqliteStoreOptions) {
    super();
    // The hub's connection writes, and reads little; the log's answers queries.
    this.db = openSqlite(opts.file, opts.onMigration, 'writes');
    const logFile = logFileOf(opts.file, this.db);
    if (logFile === opts.file) setCacheFor(this.db, 'reads');
    this.logDb = logFile === opts.file ? this.db : openSqlite(logFile, opts.onMigration);
    this.statements = new StatementCache(this.logDb);
    // The trigram index's terms, which the trigrams two characters begin are read from by range.
    this.logDb.exec(
      'CREATE VIRTUAL TABLE IF NOT EXISTS temp.identities_vocab USING fts5vocab(main, identities_text, row)',
    );
    this.entryFacets = new EntryFacets(this.logDb);
    const qb = compileOnly<LogDatabase>('sqlite');
    this.qb = qb;
    if (opts.writerThread && opts.file !== ':memory:') {
      // The writer thread's checkpointer copies the hub's WAL too (checkpointer.ts); the hub's
      // own connection then checkpoints only past 512 MiB of WAL, not every 128 MiB in the
      // middle of an import's commits on this thread.
      const split = logFile !== opts.file;
      if (split) this.db.pragma(`wal_autocheckpoint = ${HUB_CHECKPOINT_FRAMES}`);
      const thread = new LogWriterThread(
        logFile,
        split ? opts.file : undefined,
        opts.identityIndexing,
      );
      this.writerThread = thread;
      this.ingestPacked = (batch) => this.onThread(thread, { batch }).then((reply) => reply.result);
    } else this.writer = new SqliteWriter(this.logDb);
    const cursors = new CursorCodec(this.cursorKey());
    // One runner, and one statement cache, for everything on the hub's connection.
    const runner = new SqliteRunner(this.db, this.writeLock, false);
    const logRunner =
      this.logDb === this.db
        ? runner
        : new SqliteRunner(this.logDb, new WriteLock(), false, this.statements);
    // With the log's writer thread beside a hub file of its own, a chunk of an import that only
    // creates users has its hub rows written there while this thread goes on (inbound-cycle.ts).
    const hubThread = this.writerThread && logFile !== opts.file ? this.writerThread : undefined;
    this.directory = new DirectoryStore(
      runner,
      compileOnly('sqlite'),
      cursors,
      undefined,
      hubThread && ((statements) => hubThread.writeHub(statements)),
    );
    const secrets =
      opts.file === ':memory:' && opts.secretKeyHex === undefined
        ? SecretBox.ephemeral()
        : SecretBox.fromKey(loadOrCreateKey(dirname(opts.file), opts.secretKeyHex));
    this.config = new ConfigStore(runner, compileOnly('sqlite'), secrets);
    this.outbound = new OutboundStore(runner, compileOnly('sqlite'), logRunner);
    this.reader = new LogReader(
      qb,
      async <T>(query: Compilable) => this.all<T>(query),
      {
        // A unary plus keeps SQLite from choosing that column's index.
        unindexed: (column) => sql.raw(`+"${column}"`),
        contains: (haystack, needle) => sql`instr(${haystack}, ${needle}) > 0`,
        wordsMatch: async (words, counting) => this.wordsMatch(words, counting),
        wordsCheck: (words) => wordsCheck(words),
        countWords: async (words, change, range, combos) =>
          this.countWords(words, change, range, combos),
        identityCheck: (folded) =>
          sql<SqlBool>`EXISTS (SELECT 1 FROM identities i
            WHERE i.id = entries.identity_id AND instr(i.text, ${folded}) > 0)`,
        idsIn,
        // Each identity search tells the writer thread that people search (it then keeps the
        // identities waiting for the trigram index few: log-writer-main.ts).
        matchIdentities: async (folded, limit) => {
          this.writerThread?.noteSearch();
          return this.matchIdentities(folded, limit);
        },
        identityPage: async (folded, span, others, limit, text) => {
          this.writerThread?.noteSearch();
          return this.identityPage(folded, span, others, limit, text);
        },
        identitySubquery: (folded) => {
          this.writerThread?.noteSearch();
          return this.holding(folded);
        },
        countIdentity: async (folded, range, combos) => {
          this.writerThread?.noteSearch();
          return this.countIdentity(folded, range, combos);
        },
      },
      cursors,
    );
  }

  private cursorKey(): Buffer {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'cursor_key'").pluck().get() as
      string | undefined;
    if (row) return Buffer.from(row, 'hex');
    const key = randomBytes(32);
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES ('cursor_key', ?)")
      .run(key.toString('hex'));
    return key;
  }

  private all<T>(query: Compilable): T[] {
    const compiled = query.compile();
    return this.statements.get(compiled.sql).all(...(compiled.parameters as unknown[])) as T[];
  }

  /** The rows of a raw SQL query (built with `sql`), by the statement cache. */
  private rawAll<T>(query: RawBuilder<unknown>): T[] {
    const compiled = query.compile(this.qb);
    return this.statements.get(compiled.sql).all(...compiled.parameters) as T[];
  }

  /** The first column of the first row of a raw SQL query. */
  private rawValue<T>(query: RawBuilder<unknown>): T {
    const compiled = query.compile(this.qb);
    return this.statements
      .get(compiled.sql)
      .pluck()
      .get(...compiled.parameters) as T;
  }

  /**
   * How many identities may hold `folded`, counted no further than `limit`: by the trigrams
   * alone (a superset, ~0.1 µs each, the tail the index has not reached left out), for two
   * characters as identitiesHolding finds them, for a letter by reading the dictionary.
   */
  private candidateCount(folded: string, limit: number): number {
    return this.rawValue<number>(
      sql`SELECT count(*) FROM (${
        [...folded].length < 3
          ? this.holding(folded)
          : sql`SELECT 1 FROM identities_text WHERE identities_text MATCH ${trigramsQuery(folded)}`
      } LIMIT ${limit})`,
    );
  }

  /**
   * Entries in which each of `words` begins a word: looked up in the free-text index (migration
   * 11) as the whole words each begins (migration 13), and the entries it has not reached yet
   * read one by one. A word that begins too many indexed words for that is looked up as a
   * prefix, which first gathers every entry holding any of them: if it begins a word in many of
   * the newest entries, it is checked entry by entry instead (a first page then reads a few
   * hundred entries), on what the other words found.
   */
  private wordsMatch(words: string[], counting: boolean): WordsMatch {
    // Read before the index: every entry up to here is in it, whatever the writer does next.
    const through = this.wordsThrough();
    const whole = new Map(words.map((w) => [w, this.wholeWords(w)]));
    const prefixes = words.filter((w) => whole.get(w) === undefined);
    // A page of one word many recent entries say was found among them (LogReader.recentPage).
    const frequent =
      counting || words.length === 1 || prefixes.length === 0 ? [] : this.frequentWords(prefixes);
    if (frequent.length === words.length) return { where: wordsCheck(words) };
    const query = ftsWordsQuery(
      words.filter((w) => !frequent.includes(w)),
      (w) => whole.get(w),
    );
    // The last entries indexed first: of more than LAST_STORED, those are what a first page is
    // first looked for among; how many more there are is asked only if it is not found there.
    const newest = (limit: number) =>
      query === null
        ? []
        : (this.statements
            .get(
              'SELECT rowid FROM entries_words WHERE entries_words MATCH ? ORDER BY rowid DESC LIMIT ?',
            )
            .pluck()
            .all(query, limit) as number[]);
    const first = counting ? undefined : newest(LAST_STORED + 1);
    const listed = (list: number[]) => sql`SELECT value FROM json_each(${JSON.stringify(list)})`;
    const tail = unindexedMatches(through, words);
    let all: { seqs: Expression<unknown>; few: boolean } | undefined;
    return {
      all: () => {
        if (all) return all;
        const ids = first && first.length <= LAST_STORED ? first : newest(WORDS_LIST_LIMIT + 1);
        const few = ids.length <= WORDS_LIST_LIMIT;
        const indexed = few
          ? listed(ids)
          : sql`SELECT rowid FROM entries_words WHERE entries_words MATCH ${query}`;
        all = { seqs: sql`${indexed} UNION ALL ${tail}`, few };
        return all;
      },
      // Frequent words are checked only on the entries the rarer ones found.
      ...(frequent.length ? { also: wordsCheck(frequent) } : {}),
      ...(first && first.length > LAST_STORED
        ? {
            last: {
              seqs: sql`${listed(first.slice(0, LAST_STORED))} UNION ALL ${tail}`,
              olderThan: this.entryFacets.latestBefore(first[LAST_STORED - 1]!),
            },
          }
        : {}),
    };
  }

  /**
   * Facet rows of the entries in which each of `words` begins a word, or whose change id is
   * `change`, in `range` and of the facet combinations `combos` selects: their seqs gathered from
   * the index (and the tail it has not reached), counted in memory (entry-facets.ts).
   */
  private countWords(
    words: string[],
    change: string,
    range: { from?: number; to?: number },
    combos: Compilable,
  ): FacetRow[] {
    const through = this.wordsThrough();
    const seqs = (query: string, ...params: unknown[]) =>
      JSON.parse(
        this.statements
          .get(query)
          .pluck()
          .get(...params) as string,
      ) as number[];
    const query = ftsWordsQuery(words, (w) => this.wholeWords(w));
    const found =
      query === null
        ? []
        : seqs(
            'SELECT json_group_array(rowid) FROM entries_words WHERE entries_words MATCH ?',
            query,
          );
    // Entries indexed since the mark was read are counted with the tail, not twice.
    const indexed = found.at(-1)! > through ? found.filter((seq) => seq <= through) : found;
    const tail =
      sql`SELECT json_group_array(seq) FROM (${unindexedMatches(through, words)})`.compile(this.qb);
    const lists = [indexed, seqs(tail.sql, ...tail.parameters)];
    const changed = this.statements
      .get('SELECT seq FROM entries WHERE change_id = ?')
      .pluck()
      .get(change) as number | undefined;
    if (changed !== undefined && !lists.some((list) => sortedHas(list, changed)))
      lists.push([changed]);
    const ids = this.all<{ id: number }>(combos).map((r) => r.id);
    return this.entryFacets.count(lists, range, ids);
  }

  /** The last entry whose words are indexed (migration 11). */
  private wordsThrough(): number {
    return this.statements.get(WORDS_INDEXED_THROUGH).pluck().get() as number;
  }

  /** The indexed words (migration 13) `word` begins, or undefined for more than a few. */
  private wholeWords(word: string): string[] | undefined {
    const list = this.statements
      .get('SELECT word FROM indexed_words WHERE word GLOB ? LIMIT ?')
      .pluck()
      .all(`${word}*`, WHOLE_WORDS_LIMIT + 1) as string[];
    return list.length > WHOLE_WORDS_LIMIT ? undefined : list;
  }

  /** The words that begin a word in at least 1/32 of the newest entries. */
  private frequentWords(words: string[]): string[] {
    const newest = this.statements
      .get('SELECT doc, error_code FROM entries ORDER BY time DESC LIMIT 256')
      .all() as Array<{ doc: string; error_code: string | null }>;
    const enough = Math.max(newest.length, 128) / 32;
    return words.filter(
      (w) => newest.filter((r) => entryBeginsWords(r.doc, r.error_code, [w])).length >= enough,
    );
  }

  /**
   * identitiesHolding, with the trigrams two characters begin looked up (the last look-up kept
   * while the index has taken no identity since: a page asks more than once).
   */
  private holding(folded: string, by: 'text' | 'trigrams' = 'text'): RawBuilder<unknown> {
    if ([...folded].length !== 2) return identitiesHolding(folded, by);
    const through = this.statements.get(INDEXED_THROUGH).pluck().get() as number;
    const last = this.beginning;
    if (last?.folded !== folded || last.through !== through) {
      const terms = this.statements
        .get('SELECT term FROM temp.identities_vocab WHERE term >= ? AND term < ?')
        .pluck()
        .all(folded, `${folded}\u{10FFFF}`) as string[];
      this.beginning = { folded, through, terms };
    }
    return identitiesHolding(folded, by, this.beginning!.terms);
  }

  /**
   * The ids of identities holding `folded`, at most `limit`, as identitiesHolding finds them
   * (checked against the text): one statement, one snapshot of the index and its tail.
   */
  private matchIdentities(folded: string, limit: number): number[] {
    return this.rawAll<{ id: number }>(sql`${this.holding(folded)} LIMIT ${limit}`).map(
      (r) => r.id,
    );
  }

  /**
   * The seqs of a page of the entries whose identity holds `folded` (3+ characters), within
   * `span`, satisfying `others` and, with `text`, saying its words (or being its change id).
   * The identities are looked up by their trigrams alone, unchecked (checking reads each one's
   * text, ~1 µs: 25 ms for a term 25,000 identities hold), and only those of the page's entries
   * are checked; should too few of them hold the term, the look-up is made again with the check.
   * Their entries in span are read from the identity index as the identities come, keys only,
   * up to a cap — then, of those, the ones the other filters select (a row read each, hence a
   * lower cap). Past the cap, the entries are many enough for the page to be found sooner
   * walking back in time. Free text few enough entries say (WORDS_SET_LIMIT) is a set of keys
   * the identity index's are checked against, no row read; said by more, it is checked entry by
   * entry: on the identity's entries newest first while those are few (IDENTITY_TEXT_KEYS),
   * stopping at a page, else on the time index's, the identity checked first.
   */
  private identityPage(
    folded: string,
    span: Expression<SqlBool>,
    others: Expression<SqlBool> | undefined,
    limit: number,
    text?: { words: string[]; change: string },
  ): number[] {
    const identities = (checked: boolean) =>
      identitiesHolding(folded, checked ? 'text' : 'trigrams');
    // The keys of the matching identities' entries `within` (a span), as the identities come.
    const keys = (checked: boolean, within: Expression<SqlBool>, cap: number) =>
      sql`SELECT entries.seq AS m_seq, entries.time AS m_time, entries.identity_id AS m_id
        FROM (${identities(checked)}) AS matched
        CROSS JOIN entries INDEXED BY entries_identity ON entries.identity_id = matched.id
        WHERE ${within} LIMIT ${cap + 1}`;
    const run = (query: RawBuilder<unknown>) => this.rawAll<PageRow>(query);
    // The keys counted, and unless past the cap (a constant condition SQLite checks before its
    // loop), their page: of those `rows` selects, a row read each. One row with no seq when
    // the page is empty, for the count.
    const byIdentity =
      (within: Expression<SqlBool>, rows: Expression<SqlBool> | undefined, cap: number): Finder =>
      (checked, take) =>
        run(sql`WITH m AS MATERIALIZED (${keys(checked, within, cap)}),
          c AS (SELECT count(*) AS n FROM m)
          SELECT p.seq, p.id, c.n FROM c LEFT JOIN (
            SELECT m_seq AS seq, m_id AS id, m_time AS time FROM m
            ${rows ? sql`CROSS JOIN entries ON entries.seq = m_seq` : sql``}
            WHERE (SELECT n FROM c) <= ${cap} ${rows ? sql`AND ${rows}` : sql``}
            ORDER BY m_time DESC, m_seq DESC LIMIT ${take}
          ) AS p ORDER BY p.time DESC, p.seq DESC`);
    // SQLite checks a walk's conditions in the order written: the identity (a set) first.
    const byTime =
      (rows: Expression<SqlBool> | undefined): Finder =>
      (checked, take) =>
        run(sql`SELECT seq, identity_id AS id FROM entries
          WHERE +entries.identity_id IN (${identities(checked)})
            AND ${span} AND ${rows ?? sql`1 = 1`}
          ORDER BY time DESC, seq DESC LIMIT ${take}`);
    // How many entries the identities hold, guessed from how many they are (counted by their
    // trigrams, ~0.1 µs each, no further than `cap` allows) and the log's mean per identity:
    // a term past the cap goes to the time index at once, without reading the cap's worth.
    const perIdentity = this.statements
      .get(
        `SELECT max(1.0, (SELECT max(seq) FROM entries) * 1.0 / max(1, (SELECT max(id) FROM identities)))`,
      )
      .pluck()
      .get() as number;
    const fewerThan = (cap: number) => {
      const enough = Math.ceil(cap / perIdentity) + 1;
      return this.candidateCount(folded, enough) < enough;
    };
    const take = limit + PAGE_CHECK_SLACK;
    const said = text && this.wordsSet(text);
    let find: Finder;
    let page: PageRow[] | undefined;
    if (text && !said) {
      const rows = both(
        others,
        sql<SqlBool>`(entries.change_id = ${text.change}
        OR ${wordsCheck(text.words)})`,
      );
      find = fewerThan(IDENTITY_TEXT_KEYS)
        ? this.newestChecked(
            (checked) => keys(checked, span, IDENTITY_TEXT_KEYS),
            rows,
            byTime(rows),
          )
        : byTime(rows);
    } else {
      // With free text, every key of the identities is read to be checked against its set.
      const within = said ? both(span, sql<SqlBool>`entries.seq IN (${said})`) : span;
      const cap = others ? IDENTITY_ROWS_CAP : IDENTITY_KEYS_CAP;
      const indexed = byIdentity(within, others, cap);
      page = fewerThan(said ? IDENTITY_SET_KEYS : cap) ? indexed(false, take) : undefined;
      const many = !page || page[0]!.n! > cap;
      if (many) page = undefined;
      find = many
        ? byTime(said ? both(others, sql<SqlBool>`+entries.seq IN (${said})`) : others)
        : indexed;
    }
    page = (page ?? find(false, take)).filter((r) => r.seq !== null);
    const holding = new Set(
      this.statements
        .get(
          'SELECT id FROM identities WHERE id IN (SELECT value FROM json_each(?)) AND instr(text, ?) > 0',
        )
        .pluck()
        .all(JSON.stringify([...new Set(page.map((r) => r.id))]), folded) as number[],
    );
    const held = page.filter((r) => holding.has(r.id));
    if (held.length >= limit || page.length < take) return held.slice(0, limit).map((r) => r.seq);
    return find(true, limit)
      .filter((r) => r.seq !== null)
      .map((r) => r.seq);
  }

  /**
   * A page found by reading entries newest first among those `keys` gives (sorted, up to
   * IDENTITY_TEXT_KEYS), a row each checked against `rows`, a chunk at a time until the page is
   * full: of words most entries say, the first chunk or two. Past the keys' cap, `beyond`.
   */
  private newestChecked(
    keys: (checked: boolean) => RawBuilder<unknown>,
    rows: Expression<SqlBool>,
    beyond: Finder,
  ): Finder {
    return (checked, take) => {
      // Counted first: past the cap, not sorted (a constant condition, checked once).
      const [{ n, list }] = this.rawAll<{ n: number; list: string }>(
        sql`WITH m AS MATERIALIZED (${keys(checked)}), c AS (SELECT count(*) AS n FROM m)
          SELECT (SELECT n FROM c) AS n, json_group_array(m_seq ORDER BY m_time DESC, m_seq DESC)
            AS list FROM m WHERE (SELECT n FROM c) <= ${IDENTITY_TEXT_KEYS}`,
      ) as [{ n: number; list: string }];
      if (n > IDENTITY_TEXT_KEYS) return beyond(checked, take);
      const sorted = JSON.parse(list) as number[];
      const found: PageRow[] = [];
      // A first chunk a page and a half long (most entries of a word most entries say hold
      // it), then as many as the share found so far needs, and a fifth more.
      let size = Math.ceil(take * 1.5);
      for (let at = 0; at < sorted.length && found.length < take;) {
        const chunk = sorted.slice(at, at + size);
        const order = new Map(chunk.map((seq, i) => [seq, i]));
        const matched = this.rawAll<PageRow>(sql`SELECT seq, identity_id AS id FROM entries
          WHERE seq IN (SELECT value FROM json_each(${JSON.stringify(chunk)})) AND ${rows}`);
        found.push(...matched.sort((a, b) => order.get(a.seq)! - order.get(b.seq)!));
        at += chunk.length;
        const share = Math.max(found.length, 1) / at;
        size = Math.max(size, Math.ceil(((take - found.length) / share) * 1.2));
      }
      return found.slice(0, take);
    };
  }

  /**
   * The seqs of the entries saying each of `words` (the index's and the tail it has not
   * reached) or whose change id is `change`, as a subquery — or undefined where the index holds
   * more than WORDS_SET_LIMIT of them, too many to gather for a set.
   */
  private wordsSet(text: { words: string[]; change: string }): RawBuilder<unknown> | undefined {
    const through = this.wordsThrough();
    const query = ftsWordsQuery(text.words, (w) => this.wholeWords(w));
    if (query !== null) {
      // Said by many of the newest entries (the 1,024th newest of them within the newest 1/128
      // of the log: four times the limit, were they as dense throughout), they are past it
      // without counting them (~0.1 µs each).
      const newest = this.rawValue<number | null>(
        sql`SELECT rowid FROM entries_words WHERE entries_words MATCH ${query}
          ORDER BY rowid DESC LIMIT 1 OFFSET 1023`,
      );
      if (newest !== null && (through - newest) * 128 < through) return undefined;
      const count = this.rawValue<number>(
        sql`SELECT count(*) FROM (SELECT 1 FROM entries_words
          WHERE entries_words MATCH ${query} LIMIT ${WORDS_SET_LIMIT + 1})`,
      );
      if (count > WORDS_SET_LIMIT) return undefined;
    }
    const indexed =
      query === null
        ? sql``
        : sql`SELECT rowid FROM entries_words WHERE entries_words MATCH ${query} UNION ALL `;
    return sql`${indexed}${unindexedMatches(through, text.words)}
      UNION ALL SELECT seq FROM entries WHERE change_id = ${text.change}`;
  }

  /**
   * Facet rows of the entries whose identity holds `folded`, within `range` (inclusive) and of
   * the facet_combos ids `combos` selects: their seqs read from the identity index as the
   * identities are found (keys only), counted in memory (entry-facets.ts), no entry read. A
   * term most identities hold ("e", a mail domain) is counted as every entry but those of the
   * identities that do not hold it (every entry has an identity): a few against a million.
   */
  private countIdentity(
    folded: string,
    range: { from?: number; to?: number },
    combos: Compilable,
  ): FacetRow[] {
    const seqsOf = (identities: RawBuilder<unknown>) =>
      JSON.parse(
        this.rawValue<string>(sql`SELECT json_group_array(entries.seq)
          FROM (${identities}) AS matched
          CROSS JOIN entries INDEXED BY entries_identity ON entries.identity_id = matched.id
          WHERE ${range.from === undefined ? sql`1 = 1` : sql`entries.time >= ${range.from}`}
            AND ${range.to === undefined ? sql`1 = 1` : sql`entries.time <= ${range.to}`}`),
      ) as number[];
    const ids = this.all<{ id: number }>(combos).map((r) => r.id);
    // Whether more than half the identities hold it, counted no further (by the trigrams a
    // superset: the other way is only slower, not wrong).
    const half = Math.floor(
      ((this.statements.get('SELECT max(id) FROM identities').pluck().get() as number | null) ??
        0) / 2,
    );
    const most = half > 0 && this.candidateCount(folded, half + 1) > half;
    if (!most) return this.entryFacets.count([seqsOf(this.holding(folded))], range, ids);
    const through = this.entryFacets.mark();
    const lacking = sql`SELECT id FROM identities WHERE instr(text, ${folded}) = 0`;
    return this.entryFacets.countAllBut(seqsOf(lacking), range, ids, through);
  }

  // The ingest calls below are not async functions: a suspended frame would keep its batch (or
  // the closure holding it) alive until the writer answers, and thousands of prepared entries
  // outliving young-generation collections are copied and promoted by each of them.

  ingestPrepared(batch: {
    tasks: TaskInput[];
    entries: PreparedEntry[];
  }): Promise<StoreIngestResult> {
    const thread = this.writerThread;
    if (!thread) return this.logLock(() => this.ingestSync(batch));
    const packed = packBatch({ tasks: batch.tasks, entries: batch.entries, rejected: [] });
    return this.onThread(thread, { batch: packed }).then((reply) => reply.result);
  }

  /**
   * A batch for the writer thread, sent under the log's lock; readers forget the systems it
   * renamed. What is sent is handed over at once: nothing here holds it while the thread works.
   */
  private onThread(thread: LogWriterThread, work: WriterWork): Promise<WriterAnswer> {
    let pending: WriterWork | undefined = work;
    return this.logLock(() => {
      const sent = thread.send(pending!);
      pending = undefined;
      return sent;
    }).then((reply) => {
      for (const id of reply.renamed) this.reader.forgetSystem(id);
      return reply;
    });
  }

  /**
   * A log write waits for the hub's transactions only when the two share a file (SQLite's one
   * writer per file); the writer thread, or a synchronous write, serialises log writes itself.
   */
  private logLock<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.logDb === this.db ? this.writeLock.run(fn) : Promise.resolve().then(fn);
  }

  /** Synchronous ingest on this thread (a store without a writer thread: the benchmark's loads). */
  ingestSync(batch: { tasks: TaskInput[]; entries: PreparedEntry[] }): StoreIngestResult {
    // Two writers would keep two sets of caches (system names, identities) out of step.
    const writer = this.writer;
    if (!writer) throw new Error('This store writes its log from its writer thread');
    const result = writer.ingestBatch(batch.tasks, batch.entries);
    if (writer.unindexed) writer.indexIdentities();
    // Words are indexed in steps once enough entries wait: searches read those one by one.
    this.unindexedWords += batch.entries.length;
    if (this.unindexedWords >= MAX_UNINDEXED_WORDS) this.indexWords(writer);
    for (const id of writer.takeRenamedSystems()) this.reader.forgetSystem(id);
    return result;
  }

  private indexWords(writer: SqliteWriter): void {
    while (writer.indexWords(5000) === 5000);
    this.unindexedWords = 0;
  }

  /**
   * Indexes the words of entries that wait (a store without a writer thread; the thread does it
   * when idle), refreshes the planner's statistics and empties the WAL; call after bulk loads.
   */
  optimize(): void {
    if (this.writer) this.indexWords(this.writer);
    for (const db of new Set([this.db, this.logDb])) {
      db.pragma('optimize');
      // Reads after a bulk load come from the database file, not from a WAL of up to 128 MiB.
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  /**
   * Reads what searches keep in memory (each entry's facet combination and time) a chunk at a
   * time, for a server that starts: its first search of many matches then need not.
   */
  warmUp(): Promise<void> {
    return this.entryFacets.warmUp();
  }

  async ping(): Promise<boolean> {
    const up = (db: SqliteDb) => db.open && db.prepare('SELECT 1').pluck().get() === 1;
    return up(this.db) && up(this.logDb);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.logLock(() => this.writerThread?.close());
    await this.writeLock.run(() => undefined);
    this.optimize();
    if (this.logDb !== this.db) this.logDb.close();
    this.db.close();
  }
}
