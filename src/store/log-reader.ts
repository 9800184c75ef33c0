import { foldForSearch } from '../model/fold-text.ts';
import { searchWords } from './entry-words.ts';
import {
  expressionBuilder,
  sql,
  type Compilable,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
} from 'kysely';
import type { Entry, EntryDetail } from '../model/entry.ts';
import type { Task } from '../model/task.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { TaskFilter } from '../query/task-filter.ts';
import type { CursorCodec } from '../query/cursor.ts';
import type { Facets, Page, PageRequest } from './log-store.ts';
import { FACET_COLUMNS, type LogDatabase } from './db-types.ts';
import {
  afterCursor,
  entryConditions,
  ofOperation,
  type EntryWhereDialect,
  type ResolvedSystems,
} from './entry-where.ts';
import { taskFromRow, TASK_STATUS_SQL } from './row-mapping.ts';
import { ENTRY_SELECT_COLUMNS, entryFromColumns, type EntryRow } from './entry-codec.ts';
import { planFacetRanges } from './facet-ranges.ts';

/** Runs a compiled query and returns its rows (the one place a store touches its driver for reads). */
export type RunQuery = <T>(query: Compilable) => Promise<T[]>;

/**
 * Entries matching free text: a condition read entry by entry, or a query of their seqs (`all`,
 * looked up when first asked) — `few` of them (a query reads them by key and sorts them) or
 * many (it walks the time index and looks each entry up among them), and `also` what each of
 * them must satisfy besides. `last` may name the last stored of them (a few hundred, read by
 * key) and the latest time of any entry stored before those: a page found among them that ends
 * no earlier is the page of all, and `all` is then never asked.
 */
export type WordsMatch =
  | {
      where: Expression<SqlBool>;
      /** The same, on an entry's seq alone: no read of the entry's own row. */
      onSeq?: (seq: Expression<unknown>) => Expression<SqlBool>;
    }
  | {
      all: () => { seqs: Expression<unknown>; few: boolean };
      also?: Expression<SqlBool>;
      last?: { seqs: Expression<unknown>; olderThan: number };
    };

/** What the reader needs from a dialect beyond Kysely's compiler. */
export interface ReaderDialect {
  /** Column reference the planner must not pick an index for. */
  unindexed(column: string): Expression<unknown>;
  /** `haystack` contains `needle` (both already folded). */
  contains(haystack: Expression<unknown>, needle: string): Expression<SqlBool>;
  /**
   * Entries in which each of `words` (entry-words.ts, at least one) begins a word, after
   * whatever look-up the store needs; `counting` when every match is read (facets), not a page.
   */
  wordsMatch(words: string[], counting: boolean): Promise<WordsMatch>;
  /**
   * The same words as a condition read entry by entry, where reading the newest entries one by
   * one is worth trying before any look-up (recentPage); absent where wordsMatch is that.
   */
  wordsCheck?(words: string[]): Expression<SqlBool>;
  /**
   * Facet rows (FACET_COLUMNS' columns and `n`) of the entries in which each of `words` begins a
   * word, or whose change id is `change`, within `range` (inclusive) and of the facet_combos ids
   * `combos` selects, counted without reading the entries; absent where facets of free text
   * are an SQL count like any other.
   */
  countWords?(
    words: string[],
    change: string,
    range: { from?: number; to?: number },
    combos: Compilable,
  ): Promise<Array<Record<string, unknown>>>;
  /**
   * Facet rows (FACET_COLUMNS' columns and `n`) of the entries whose identity contains `folded`,
   * within `range` (inclusive) and of the facet_combos ids `combos` selects, counted without
   * reading the entries; absent where facets of an identity are an SQL count like any other.
   */
  countIdentity?(
    folded: string,
    range: { from?: number; to?: number },
    combos: Compilable,
  ): Promise<Array<Record<string, unknown>>>;
  /** An entry's identity contains `folded`, read entry by entry (with wordsCheck). */
  identityCheck?(folded: string): Expression<SqlBool>;
  /** Ids of identities whose folded text contains `folded`, at most `limit`. */
  matchIdentities(folded: string, limit: number): Promise<number[]>;
  /** The same set as a subquery, for when it is too large to pass as values. */
  identitySubquery(folded: string): Expression<unknown>;
  /**
   * `column` is one of `ids`, the list passed as one value: one statement for every list length,
   * and a planner that sees a set to probe an index with, not thousands of constants.
   */
  idsIn(column: string, ids: number[]): Expression<SqlBool>;
  /**
   * Optional: `column` is one of `ids` (thousands), as a condition the planner checks on the
   * entries it walks in time order rather than looking each id up in the column's index — for
   * a planner that reads a subquery of many identities through that index whatever it holds.
   */
  walkIdsIn?(column: string, ids: number[]): Expression<SqlBool>;
  /**
   * Optional: `column` is among what `subquery` selects (too many to list), as a condition the
   * planner checks on the entries it walks (a hashed set) rather than probing the column's
   * index with each; without it, the column unindexed.
   */
  walkSubquery?(column: string, subquery: Expression<unknown>): Expression<SqlBool>;
  /**
   * Optional: an entry is among a page of the entries of identities `ids` — the first `limit`
   * of `page` (seq and time, newest first) for each identity, `page` given that identity's id
   * as an expression, merged and cut to `limit`. For a planner that otherwise reads every entry
   * of those identities to sort them (PostgreSQL), or walks the time index for rare ones.
   */
  amongIdentityPage?(
    ids: number[],
    page: (id: Expression<unknown>) => Compilable,
    limit: number,
  ): Expression<SqlBool>;
  /**
   * Optional: the seqs, newest first, of the first `limit` entries whose identity contains
   * `folded` (three characters or more), within `span` (time range and cursor: what the
   * identity index holds besides), satisfying `others` (the other filters) and, with `text`,
   * saying each of its words or having its change id — however the store finds them best (the
   * SQLite store: by the identity index or the time index, as they are few or many, and the
   * words as a set of keys or read entry by entry). Without it, the page is the identity
   * condition's like any other.
   */
  identityPage?(
    folded: string,
    span: Expression<SqlBool>,
    others: Expression<SqlBool> | undefined,
    limit: number,
    text?: { words: string[]; change: string },
  ): Promise<number[]>;
}

/** A where dialect, and where free text matched many entries, one for the last stored of them. */
type PageDialect = EntryWhereDialect & {
  /** Whether free text matched few entries, read by key (asked of the store when called). */
  few: () => boolean;
  /** The identities the identity filter matched, where they are few enough to list. */
  identityIds?: number[];
  /** Every identity it matched, where they are listed for a walk of the time index. */
  walkIds?: number[];
  /**
   * Free text's words as a condition on an entry's seq alone, where the dialect has one (the
   * entry whose change id the text is, apart).
   */
  freeTextOnSeq?: (seq: Expression<unknown>) => Expression<SqlBool>;
  last?: { dialect: EntryWhereDialect; olderThan: number };
};

/** The conditions of a page: the filter's, and after the cursor. */
function pageConditions(
  filter: EntryFilter,
  systems: ResolvedSystems,
  pos: { t: number; s: number } | undefined,
  dialect: EntryWhereDialect,
) {
  return (eb: ExpressionBuilder<LogDatabase, 'entries'>) => {
    const conds = entryConditions(eb, filter, systems, dialect);
    if (pos) conds.push(afterCursor(eb, pos));
    return eb.and(conds);
  };
}

/** Free text that is an entry's change id, whole, finds that entry. */
const isChange = (q: string) => sql<SqlBool>`${sql.ref('change_id')} = ${q.trim()}`;

/** A page of free text (or a common identity term) is first looked for among this many of the newest entries. */
const RECENT_WINDOW = 2048;
/** Up to this many matching identities drive the query through their index; beyond, a time-ordered scan finds a page sooner. */
const IDENTITY_INDEX_LIMIT = 500;
/** Facets count every match, so the index pays off for far more identities than a first page does. */
const FACET_IDENTITY_INDEX_LIMIT = 5000;
/**
 * Beyond that, facets still go through the identity index while the matches are at most this
 * fraction (1/n) of all identities; a search matching more reads the entries in range instead.
 */
const FACET_IDENTITY_SHARE = 8;

/** The identities a search term matches: their ids up to a limit, and how to go beyond it. */
interface IdentityMatch {
  ids: number[];
  many: 'index' | 'scan';
  /** Of many ('scan'), every one, where the dialect walks the time index with a list. */
  walk?: number[];
}
/** At most this many identities' ids go to walkIdsIn; beyond, the dictionary's subquery. */
const WALK_IDS_LIMIT = 10_000;
/**
 * Up to this many, a page of them is read identity by identity where the dialect can
 * (amongIdentityPage: ~20 µs each on PostgreSQL), however rare their entries in time.
 */
const AMONG_IDS_LIMIT = 1_500;
const ROLLUP_FILTERS = new Set([
  'from',
  'to',
  'direction',
  'status',
  'action',
  'objectType',
  'skipReason',
  'errorCode',
  'sourceSystem',
  'targetSystem',
  'jobId',
  'application',
]);

/**
 * Every read of the provisioning log, written once for both stores: lists by keyset cursor,
 * facets from rollups where the filter allows, tasks with derived status.
 */
export class LogReader {
  private readonly systemNames = new Map<string, string>();

  constructor(
    private readonly qb: Kysely<LogDatabase>,
    private readonly run: RunQuery,
    private readonly dialect: ReaderDialect,
    private readonly cursors: CursorCodec,
  ) {}

  /** Identity and free-text conditions need a look-up first; everything else is plain SQL. */
  private async whereDialect(
    filter: EntryFilter,
    indexLimit = IDENTITY_INDEX_LIMIT,
    counting = false,
    identityByIndex = false,
  ): Promise<PageDialect> {
    let identity: IdentityMatch | undefined;
    if (filter.identity) {
      const folded = foldForSearch(filter.identity);
      // A term of a letter or two has no trigram to look up: gathering thousands of its
      // identities would read the whole dictionary (the subquery stops at a page's worth).
      const trigrams = [...folded].length >= 3;
      // Where a walk of the time index may take them all (walkIdsIn), they are gathered in one
      // look-up up to its limit, rather than a page's worth first and all of them again.
      const walkable = !counting && !identityByIndex && trigrams && !!this.dialect.walkIdsIn;
      const found = await this.dialect.matchIdentities(
        folded,
        (walkable ? WALK_IDS_LIMIT : indexLimit) + 1,
      );
      const ids = found.slice(0, indexLimit + 1);
      let many: IdentityMatch['many'] = identityByIndex ? 'index' : 'scan';
      if (ids.length > indexLimit && counting) {
        // Counting reads every match: through the identity index while the matches are a
        // small share of all identities (a probe each beats reading every entry in range).
        const share = Math.floor((await this.identityCount()) / FACET_IDENTITY_SHARE);
        if (share > indexLimit && (await this.countIdentities(folded, share + 1)) <= share)
          many = 'index';
      }
      identity = { ids, many };
      if (walkable && ids.length > indexLimit && found.length <= WALK_IDS_LIMIT)
        identity.walk = found;
    }
    const text = filter.q ? await this.freeText(filter.q, counting) : undefined;
    const dialect = (freeText: (() => Expression<SqlBool>) | undefined): EntryWhereDialect => ({
      unindexed: (c) => this.dialect.unindexed(c),
      identityMatch: (eb, folded) => this.identityMatch(eb, folded, identity, indexLimit),
      freeText: () => freeText?.() ?? sql<SqlBool>`1 = 1`,
    });
    const last = text?.last;
    return {
      ...dialect(text?.where),
      few: () => text?.few() ?? false,
      ...(identity && identity.ids.length <= indexLimit
        ? { identityIds: identity.ids }
        : identity?.walk && identity.walk.length <= AMONG_IDS_LIMIT
          ? { identityIds: identity.walk }
          : {}),
      ...(identity?.walk ? { walkIds: identity.walk } : {}),
      ...(text?.onSeq ? { freeTextOnSeq: text.onSeq } : {}),
      ...(last ? { last: { dialect: dialect(() => last.where), olderThan: last.olderThan } } : {}),
    };
  }

  /**
   * Free text: the entry whose change id it is, and the entries in which each of its words
   * begins a word (entry-words.ts) — names and ids of identities, steps, reasons, properties,
   * payloads, the error code.
   */
  private async freeText(
    q: string,
    counting: boolean,
  ): Promise<{
    where: () => Expression<SqlBool>;
    few: () => boolean;
    last?: { where: Expression<SqlBool>; olderThan: number };
    onSeq?: (seq: Expression<unknown>) => Expression<SqlBool>;
  }> {
    const words = searchWords(q);
    const change = q.trim();
    const plain = (where: Expression<SqlBool>) => ({ where: () => where, few: () => false });
    if (words.length === 0) return plain(isChange(q));
    const match = await this.dialect.wordsMatch(words, counting);
    if ('where' in match) {
      const { onSeq } = match;
      return {
        ...plain(sql<SqlBool>`(${isChange(q)} OR ${match.where})`),
        ...(onSeq ? { onSeq } : {}),
      };
    }
    // One set of seqs, so that the planner reads each part by its own index; a page of many
    // walks the time index instead, while counting reads every one of them by key.
    const among = (seqs: Expression<unknown>, few: boolean) => {
      const seq = few || counting ? sql.ref('seq') : this.dialect.unindexed('seq');
      const where = sql<SqlBool>`${seq} IN (${seqs}
        UNION ALL SELECT seq FROM entries WHERE change_id = ${change})`;
      if (!match.also) return where;
      return sql<SqlBool>`(${where} AND (${isChange(q)} OR ${match.also}))`;
    };
    return {
      where: () => among(match.all().seqs, match.all().few),
      few: () => match.all().few,
      ...(match.last && !counting
        ? { last: { where: among(match.last.seqs, true), olderThan: match.last.olderThan } }
        : {}),
    };
  }

  /** How many identities the dictionary holds (their ids are dense). */
  private async identityCount(): Promise<number> {
    const [row] = await this.run<{ n: number | null }>(
      this.qb.selectFrom('identities').select((eb) => eb.fn.max('id').as('n')),
    );
    return Number(row?.n ?? 0);
  }

  /** How many identities match, counting no further than `cap`. */
  private async countIdentities(folded: string, cap: number): Promise<number> {
    const [row] = await this.run<{ n: number }>(
      this.qb
        .selectFrom(sql`(${this.dialect.identitySubquery(folded)} LIMIT ${cap})`.as('m'))
        .select(sql<number>`count(*)`.as('n')),
    );
    return Number(row?.n ?? 0);
  }

  private identityMatch(
    eb: ExpressionBuilder<LogDatabase, 'entries'>,
    folded: string,
    match: IdentityMatch | undefined,
    indexLimit: number,
  ): Expression<SqlBool> {
    const ids = match?.ids ?? [];
    const subquery = this.dialect.identitySubquery(folded);
    const trigrams = [...folded].length >= 3;
    return ids.length === 0
      ? sql<SqlBool>`1 = 0`
      : ids.length <= indexLimit
        ? this.dialect.idsIn('identity_id', ids)
        : match?.many === 'index'
          ? sql<SqlBool>`${eb.ref('identity_id')} IN (${subquery})`
          : match?.walk && this.dialect.walkIdsIn
            ? this.dialect.walkIdsIn('identity_id', match.walk)
            : // A letter or two has no trigram: gathering all its identities reads the dictionary.
              (trigrams && this.dialect.walkSubquery?.('identity_id', subquery)) ||
              sql<SqlBool>`${this.dialect.unindexed('identity_id')} IN (${subquery})`;
  }

  /** System filters name systems by id or by name; application by part of a name. */
  private async resolveSystems(filter: EntryFilter): Promise<ResolvedSystems> {
    const out: ResolvedSystems = {};
    const byIdOrName = async (values: string[]) => {
      const folded = values.map(foldForSearch);
      const rows = await this.run<{ id: string }>(
        this.qb
          .selectFrom('systems')
          .select('id')
          .where((eb) => eb.or([eb('id', 'in', values), eb('name_folded', 'in', folded)])),
      );
      return rows.map((r) => r.id);
    };
    if (filter.sourceSystem) out.sourceSystem = await byIdOrName(filter.sourceSystem);
    if (filter.targetSystem) out.targetSystem = await byIdOrName(filter.targetSystem);
    if (filter.application) {
      const needle = foldForSearch(filter.application);
      const rows = await this.run<{ id: string }>(
        this.qb
          .selectFrom('systems')
          .select('id')
          .where(() => this.dialect.contains(sql.ref('name_folded'), needle)),
      );
      out.application = rows.map((r) => r.id);
    }
    return out;
  }

  private async loadSystemNames(ids: Iterable<string | null>): Promise<void> {
    const missing = [
      ...new Set([...ids].filter((id): id is string => id !== null && !this.systemNames.has(id))),
    ];
    if (missing.length === 0) return;
    const rows = await this.run<{ id: string; name: string }>(
      this.qb.selectFrom('systems').select(['id', 'name']).where('id', 'in', missing),
    );
    for (const r of rows) this.systemNames.set(r.id, r.name);
    for (const id of missing) if (!this.systemNames.has(id)) this.systemNames.set(id, id);
  }

  /** Forgets cached system names (after a writer renamed one). */
  forgetSystem(id: string): void {
    this.systemNames.delete(id);
  }

  private async toEntries(rows: EntryRow[]): Promise<Entry[]> {
    await this.loadSystemNames(rows.flatMap((r) => [r.source_system_id, r.target_system_id]));
    const now = Date.now();
    const name = (id: string) => this.systemNames.get(id) ?? id;
    return rows.map((r) => entryFromColumns(r, name, now));
  }

  async listEntries(filter: EntryFilter, page: PageRequest): Promise<Page<Entry>> {
    const pos = page.cursor ? this.cursors.decode('entries', page.cursor) : undefined;
    const systems = await this.resolveSystems(filter);
    const rows = await this.pageRows(filter, systems, pos, page.limit);
    const { items, nextCursor } = this.page(rows, page.limit, 'entries', (r) => r.time);
    return { items: await this.toEntries(items), nextCursor };
  }

  /**
   * Up to `limit + 1` entries of a page. Free text is looked up first (unless with an identity
   * term), and the page first looked for among the last stored of its matches — a page found
   * there whose last entry is no older than any entry stored before them is the page of all;
   * then, of few matches, among them all; of many, among the newest entries (recentPage), then
   * in time order among them all. An identity term of three characters or more, without free
   * text, is the dialect's to find where it can (identityPage).
   */
  private async pageRows(
    filter: EntryFilter,
    systems: ResolvedSystems,
    pos: { t: number; s: number } | undefined,
    limit: number,
  ): Promise<Array<EntryRow & { seq: number }>> {
    const rows = (d: EntryWhereDialect) => this.firstRows(filter, systems, pos, limit, d);
    let dialect: PageDialect | undefined;
    if (filter.q !== undefined && filter.identity === undefined) {
      dialect = await this.whereDialect(filter);
      if (dialect.last) {
        const found = await rows(dialect.last.dialect);
        if (found.length > limit && found[limit - 1]!.time >= dialect.last.olderThan) return found;
      }
    }
    if (
      filter.identity !== undefined &&
      this.dialect.identityPage &&
      [...foldForSearch(filter.identity)].length >= 3
    ) {
      return this.identityPageRows(filter, systems, pos, limit);
    }
    if (!dialect?.few()) {
      const recent = await this.recentPage(filter, systems, pos, limit);
      if (Array.isArray(recent)) return recent;
      dialect ??= await this.whereDialect(filter, IDENTITY_INDEX_LIMIT, false, recent === 'sparse');
    }
    if (filter.q !== undefined && dialect!.walkIds && !dialect!.few())
      return this.identityEntriesChecked(filter, systems, pos, limit, dialect!, dialect!.walkIds);
    const ids = dialect!.identityIds;
    const among = this.dialect.amongIdentityPage;
    if (ids?.length && among) {
      // Each identity's newest matches by its own index range, then those few by key.
      const others = { ...filter, identity: undefined };
      const inPage = among(
        ids,
        (id) =>
          this.qb
            .selectFrom('entries')
            .select(['seq', 'time'])
            .where(pageConditions(others, systems, pos, dialect!))
            .where(sql<SqlBool>`identity_id = ${id}`)
            .orderBy('time', 'desc')
            .orderBy('seq', 'desc')
            .limit(limit + 1),
        limit + 1,
      );
      return rows({ ...dialect!, identityMatch: () => inPage });
    }
    return rows(dialect!);
  }

  /**
   * A page of an identity term many identities hold, with free text many entries say, whose
   * entries together are too few among the newest for a walk back in time to find a page soon
   * (it would read the whole log for a term and a word seldom said together: ~0.9 s at
   * 1,000,000 entries on PostgreSQL). The identities' entries are taken newest first from
   * their index, keys only, and each checked against the rest of the filter until the page
   * is full.
   */
  private identityEntriesChecked(
    filter: EntryFilter,
    systems: ResolvedSystems,
    pos: { t: number; s: number } | undefined,
    limit: number,
    dialect: PageDialect,
    ids: number[],
  ): Promise<Array<EntryRow & { seq: number }>> {
    const { from, to } = filter;
    const keys = this.qb
      .selectFrom('entries')
      .select(['seq', 'time'])
      .where(() => this.dialect.idsIn('identity_id', ids))
      .where(pageConditions({ from, to }, {}, pos, dialect))
      .orderBy('time', 'desc')
      .orderBy('seq', 'desc')
      // Kept a subquery: its order is what the check below follows, stopping at the page.
      .offset(0)
      .as('k');
    // Free text alone is checked on the entry's words by seq, not reading the entry's row, and
    // the entry whose change id it is added apart: in one condition (OR), PostgreSQL would
    // gather every entry saying the words to hash them (~6 s at 1,000,000 entries).
    const { identity: _i, from: _f, to: _t, q, ...others } = filter;
    const onSeq = Object.keys(others).length === 0 ? dialect.freeTextOnSeq : undefined;
    const checked = this.qb
      .selectFrom(keys)
      .select('k.seq')
      .where(({ exists, selectFrom }) =>
        onSeq
          ? onSeq(sql.ref('k.seq'))
          : exists(
              selectFrom('entries')
                .select(sql`1`.as('one'))
                .where(sql<SqlBool>`entries.seq = k.seq`)
                .where(
                  pageConditions({ ...filter, identity: undefined }, systems, undefined, dialect),
                ),
            ),
      )
      // In the keys' order (which a planner that hashes the check would not keep otherwise).
      .orderBy('k.time', 'desc')
      .orderBy('k.seq', 'desc')
      .limit(limit + 1);
    const changed = () =>
      this.qb
        .selectFrom('entries')
        .select('seq')
        .where('change_id', '=', q!.trim())
        .where(() => this.dialect.idsIn('identity_id', ids))
        .where(pageConditions({ from, to }, {}, pos, dialect));
    return this.run<EntryRow & { seq: number }>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where(
          onSeq
            ? sql<SqlBool>`seq IN (${checked} UNION ALL ${changed()})`
            : sql<SqlBool>`seq IN (${checked})`,
        )
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc')
        .limit(limit + 1),
    );
  }

  /** The first `limit + 1` entries the filter selects after `pos`, newest first. */
  private firstRows(
    filter: EntryFilter,
    systems: ResolvedSystems,
    pos: { t: number; s: number } | undefined,
    limit: number,
    dialect: EntryWhereDialect,
  ): Promise<Array<EntryRow & { seq: number }>> {
    return this.run<EntryRow & { seq: number }>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where(pageConditions(filter, systems, pos, dialect))
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc')
        .limit(limit + 1),
    );
  }

  /**
   * A page of an identity term, whose seqs the dialect finds (identityPage). With free text
   * that few entries say, those entries are read by key and their identities checked instead.
   */
  private async identityPageRows(
    filter: EntryFilter,
    systems: ResolvedSystems,
    pos: { t: number; s: number } | undefined,
    limit: number,
  ): Promise<Array<EntryRow & { seq: number }>> {
    const { identity, from, to, q, ...rest } = filter;
    const folded = foldForSearch(identity!);
    const dialect = await this.whereDialect(rest);
    const eb = expressionBuilder<LogDatabase, 'entries'>();
    const others = entryConditions(eb, rest, systems, dialect);
    let text: { words: string[]; change: string } | undefined;
    if (q !== undefined) {
      const found = await this.freeText(q, false);
      if (found.few() && this.dialect.identityCheck)
        return this.firstRows(filter, systems, pos, limit, {
          ...dialect,
          identityMatch: () => this.dialect.identityCheck!(folded),
          freeText: found.where,
        });
      const words = searchWords(q);
      if (words.length) text = { words, change: q.trim() };
      else others.push(isChange(q));
    }
    const seqs = await this.dialect.identityPage!(
      folded,
      pageConditions({ from, to }, {}, pos, dialect)(eb),
      others.length ? eb.and(others) : undefined,
      limit + 1,
      text,
    );
    if (seqs.length === 0) return [];
    return this.run<EntryRow & { seq: number }>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where(() => this.dialect.idsIn('seq', seqs))
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc'),
    );
  }

  /** Free text as a condition read entry by entry (the dialect's wordsCheck), or the change id. */
  private wordsChecked(q: string): Expression<SqlBool> {
    const words = searchWords(q);
    return words.length
      ? sql<SqlBool>`(${isChange(q)} OR ${this.dialect.wordsCheck!(words)})`
      : isChange(q);
  }

  /**
   * A page of free text, or of a letter or two many identities hold, found among the newest
   * RECENT_WINDOW entries the other filters select, each read one by one, when the page is
   * complete there: a word many recent entries say needs no index look-up, which would first
   * gather every entry that ever said it (every identity holding the term). Undefined when the
   * page may go on beyond them (the look-ups then find it); 'sparse' when a letter or two alone
   * found too few there, whose identities' index then leads.
   */
  private async recentPage(
    filter: EntryFilter,
    systems: ResolvedSystems,
    pos: { t: number; s: number } | undefined,
    limit: number,
  ): Promise<Array<EntryRow & { seq: number }> | 'sparse' | undefined> {
    const { wordsCheck, identityCheck } = this.dialect;
    if (!wordsCheck || !identityCheck) return undefined;
    const { q, identity, ...rest } = filter;
    const checks: Array<Expression<SqlBool>> = [];
    if (q !== undefined) checks.push(this.wordsChecked(q));
    const kept: EntryFilter = rest;
    if (identity !== undefined) {
      // A letter or two many identities hold: the other path reads the whole dictionary to
      // gather them (no trigram to look up); a longer term's look-up costs less than trying.
      const folded = foldForSearch(identity);
      const short = [...folded].length < 3;
      const many =
        short &&
        (await this.dialect.matchIdentities(folded, IDENTITY_INDEX_LIMIT + 1)).length >
          IDENTITY_INDEX_LIMIT;
      if (many) checks.push(identityCheck(folded));
      else kept.identity = identity;
    }
    if (checks.length === 0) return undefined;
    const others = pageConditions(kept, systems, pos, await this.whereDialect(kept));
    // The oldest of the newest entries the other filters select: the window's edge, if any.
    const [edge] = await this.run<{ time: number; seq: number }>(
      this.qb
        .selectFrom('entries')
        .select(['time', 'seq'])
        .where(others)
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(RECENT_WINDOW - 1),
    );
    const rows = await this.run<EntryRow & { seq: number }>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where((eb) =>
          eb.and([
            others(eb),
            ...checks,
            ...(edge
              ? [
                  // The range alone, so that the time index is entered at the edge.
                  eb('time', '>=', edge.time),
                  eb.or([
                    eb('time', '>', edge.time),
                    eb.and([eb('time', '=', edge.time), eb('seq', '>=', edge.seq)]),
                  ]),
                ]
              : []),
          ]),
        )
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc')
        .limit(limit + 1),
    );
    // Without an edge every entry was read; with one, a short page may go on beyond it. A
    // short identity term's entries are then few among the newest: its identities' index
    // finds them sooner than walking back in time (unless free text narrows them first).
    if (rows.length > limit || !edge) return rows;
    return kept.identity === undefined && identity !== undefined && q === undefined
      ? 'sparse'
      : undefined;
  }

  async facets(filter: EntryFilter): Promise<Facets> {
    const systems = await this.resolveSystems(filter);
    const { q, ...rest } = filter;
    const words = q === undefined ? [] : searchWords(q);
    // Free text with filters rollups have too: counted by the store from the index, no row read.
    const counted =
      this.dialect.countWords &&
      words.length > 0 &&
      Object.keys(rest).every((k) => ROLLUP_FILTERS.has(k));
    // So is an identity without free text: its entries' keys from the identity index.
    const { identity, ...dimensions } = rest;
    const ofIdentity =
      this.dialect.countIdentity &&
      identity !== undefined &&
      q === undefined &&
      Object.keys(dimensions).every((k) => ROLLUP_FILTERS.has(k));
    const dialect = await this.whereDialect(
      counted ? rest : ofIdentity ? dimensions : filter,
      FACET_IDENTITY_INDEX_LIMIT,
      true,
    );
    const facets: Facets = Object.fromEntries(Object.keys(FACET_COLUMNS).map((f) => [f, {}]));
    const add = (row: Record<string, unknown>) => {
      const n = Number(row.n);
      for (const [field, column] of Object.entries(FACET_COLUMNS)) {
        const value = row[column];
        if (value === null || value === '' || value === undefined) continue;
        const bucket = facets[field]!;
        bucket[value as string] = (bucket[value as string] ?? 0) + n;
      }
    };
    const columns = Object.values(FACET_COLUMNS);
    const raw = async (f: EntryFilter) => {
      const rows = await this.run<Record<string, unknown>>(
        this.qb
          .selectFrom('entries')
          .select([...columns, sql<number>`count(*)`.as('n')])
          .where((eb) => eb.and(entryConditions(eb, f, systems, dialect)))
          .groupBy(columns),
      );
      rows.forEach(add);
    };
    const combosOf = (dims: EntryFilter) =>
      this.qb
        .selectFrom('facet_combos')
        .select('id')
        .where((eb) => eb.and(entryConditions(eb as never, dims, systems, dialect, 'rollup')));
    if (counted) {
      const { from, to, ...dims } = rest;
      const rows = await this.dialect.countWords!(words, q!.trim(), { from, to }, combosOf(dims));
      rows.forEach(add);
    } else if (ofIdentity) {
      const { from, to, ...dims } = dimensions;
      const folded = foldForSearch(identity!);
      const rows = await this.dialect.countIdentity!(folded, { from, to }, combosOf(dims));
      rows.forEach(add);
    } else if (Object.keys(filter).every((k) => ROLLUP_FILTERS.has(k))) {
      const plan = planFacetRanges(filter.from, filter.to);
      const { from: _f, to: _t, ...dims } = filter;
      for (const [table, ranges] of [
        ['rollup_day', plan.days],
        ['rollup_hour', plan.hours],
      ] as const) {
        for (const [a, b] of ranges) {
          const rows = await this.run<Record<string, unknown>>(
            this.qb
              .selectFrom(table)
              .select([...columns, 'n'])
              .where((eb) =>
                eb.and([
                  eb('bucket', '>=', a),
                  eb('bucket', '<', b),
                  ...entryConditions(eb as never, dims, systems, dialect, 'rollup'),
                ]),
              ),
          );
          rows.forEach(add);
        }
      }
      for (const [a, b] of plan.raw) await raw({ ...dims, from: a, to: b - 1 });
    } else {
      await raw(filter);
    }
    await this.loadSystemNames([
      ...Object.keys(facets.sourceSystem!),
      ...Object.keys(facets.targetSystem!),
    ]);
    for (const field of ['sourceSystem', 'targetSystem']) {
      const byName: Record<string, number> = {};
      for (const [id, n] of Object.entries(facets[field] ?? {})) {
        const name = this.systemNames.get(id) ?? id;
        byName[name] = (byName[name] ?? 0) + n;
      }
      facets[field] = byName;
    }
    return facets;
  }

  async getEntry(changeId: string): Promise<EntryDetail | undefined> {
    const [row] = await this.run<EntryRow>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where('change_id', '=', changeId),
    );
    if (!row) return undefined;
    const related = await this.run<EntryRow>(
      this.qb
        .selectFrom('entries')
        .select([...ENTRY_SELECT_COLUMNS])
        .where(() => ofOperation([row.operation_id ?? row.change_id]))
        .orderBy('time')
        .orderBy('seq')
        .limit(1000),
    );
    const [entry] = await this.toEntries([row]);
    const attempts = await this.toEntries(related);
    return {
      ...entry!,
      relatedAttempts: attempts.map((e) => ({
        changeId: e.changeId,
        time: e.time,
        status: e.status,
        action: e.action,
        ...(e.attempt !== undefined ? { attempt: e.attempt } : {}),
        ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
        taskId: e.taskId,
      })),
    };
  }

  /** One row more than the limit was asked for: its presence means another page. */
  private page<R extends { seq: number }>(
    rows: R[],
    limit: number,
    kind: string,
    timeOf: (r: R) => number,
  ) {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? this.cursors.encode(kind, { t: Number(timeOf(last)), s: Number(last.seq) })
        : null;
    return { items, nextCursor };
  }

  private taskQuery() {
    return this.qb
      .selectFrom('tasks as t')
      .leftJoin('task_counts as c', 'c.task_id', 't.id')
      .select(['t.seq', 't.started_at', 't.doc'])
      .selectAll('c');
  }

  async listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    const pos = page.cursor ? this.cursors.decode('tasks', page.cursor) : undefined;
    const status = sql.raw(`(${TASK_STATUS_SQL})`);
    const rows = await this.run<{ seq: number; started_at: number; doc: string }>(
      this.taskQuery()
        .where((eb) => {
          const conds: Expression<SqlBool>[] = [];
          if (filter.from !== undefined) conds.push(eb('t.started_at', '>=', filter.from));
          if (filter.to !== undefined) conds.push(eb('t.started_at', '<=', filter.to));
          if (filter.direction) conds.push(eb('t.direction', 'in', filter.direction));
          if (filter.triggerModule) conds.push(eb('t.trigger_module', 'in', filter.triggerModule));
          if (filter.jobId) conds.push(eb('t.job_id', 'in', filter.jobId));
          if (filter.status) conds.push(sql<SqlBool>`${status} IN (${sql.join(filter.status)})`);
          if (pos) {
            conds.push(eb('t.started_at', '<=', pos.t));
            conds.push(eb.or([eb('t.started_at', '<', pos.t), eb('t.seq', '<', pos.s)]));
          }
          return eb.and(conds);
        })
        .orderBy('t.started_at', 'desc')
        .orderBy('t.seq', 'desc')
        .limit(page.limit + 1),
    );
    const { items, nextCursor } = this.page(rows, page.limit, 'tasks', (r) => r.started_at);
    return { items: items.map((r) => taskFromRow(r)), nextCursor };
  }

  async getTask(id: string): Promise<Task | undefined> {
    const [row] = await this.run<{ doc: string }>(this.taskQuery().where('t.id', '=', id));
    return row ? taskFromRow(row) : undefined;
  }
}
