import { ROLLUP_DIMENSIONS } from '../batch-accounting.ts';
import type { SqliteDb } from './open.ts';

/** Entries read from entry_facets per statement, as three JSON arrays. */
const CHUNK = 1 << 18;

/** A facet row as the reader adds it up: the dimension columns, and `n` entries holding them. */
export type FacetRow = Record<string, string | number>;

/**
 * Each entry's time and facet combination (migration 12), held in memory by seq and read on
 * from where the last count stopped (entries are never changed in these, nor removed): facets of
 * free text count the entries the words index finds without reading them. An entries row
 * carries its whole document, ~3 µs a row to read; here an entry is two array reads. 20 bytes
 * an entry, with the latest time up to each seq (latestBefore).
 */
export class EntryFacets {
  private times = new Float64Array(0);
  /** The latest time of the entries up to each seq. */
  private latest = new Float64Array(0);
  /** 0 for a seq no entry has (combination ids start at 1). */
  private combos = new Int32Array(0);
  private through = 0;
  /** Dimensions by combination id. */
  private readonly dims: Array<string[] | undefined> = [];
  private readonly readEntries;
  private readonly readCombos;

  constructor(db: SqliteDb) {
    this.readEntries = db
      .prepare(
        `SELECT max(seq), json_group_array(seq), json_group_array(time), json_group_array(combo)
         FROM (SELECT seq, time, combo FROM entry_facets WHERE seq > ? ORDER BY seq LIMIT ${CHUNK})`,
      )
      .raw();
    this.readCombos = db
      .prepare(`SELECT id, ${ROLLUP_DIMENSIONS.join(', ')} FROM facet_combos WHERE id >= ?`)
      .raw();
  }

  /**
   * Facet rows of the entries with these seqs (each once, across the lists) whose time lies in
   * `range` (inclusive) and whose combination is one of `combos`. Every seq must be of an entry
   * stored before the call.
   */
  count(
    lists: ReadonlyArray<ArrayLike<number>>,
    range: { from?: number; to?: number },
    combos: readonly number[],
  ): FacetRow[] {
    this.readOn();
    const tally = this.tally(range, combos);
    for (const list of lists) for (let i = 0; i < list.length; i++) tally.add(list[i]!, 1);
    return this.rows(tally.n);
  }

  /** Reads on, and returns the last seq held: a count up to it stays exact whatever comes next. */
  mark(): number {
    this.readOn();
    return this.through;
  }

  /**
   * Facet rows of every entry up to `through` (a mark) whose time lies in `range` and whose
   * combination is one of `combos`, less those of `except` (each once): for a set holding most
   * entries, counted as all of them but the few it does not hold. Seqs past `through` in
   * `except` are left out, as the entries they stand for are.
   */
  countAllBut(
    except: ArrayLike<number>,
    range: { from?: number; to?: number },
    combos: readonly number[],
    through: number,
  ): FacetRow[] {
    const tally = this.tally(range, combos);
    const last = Math.min(through, this.through);
    for (let seq = 1; seq <= last; seq++) tally.add(seq, 1);
    for (let i = 0; i < except.length; i++) if (except[i]! <= last) tally.add(except[i]!, -1);
    return this.rows(tally.n);
  }

  /** Counts by combination id, of entries in `range` and of `combos`, added seq by seq. */
  private tally(range: { from?: number; to?: number }, combos: readonly number[]) {
    const from = range.from ?? -Infinity;
    const to = range.to ?? Infinity;
    const allowed = new Uint8Array(this.dims.length);
    for (const id of combos) if (id < allowed.length) allowed[id] = 1;
    const n = new Float64Array(this.dims.length);
    const { times, combos: of } = this;
    const add = (seq: number, by: number) => {
      const combo = of[seq]!;
      if (allowed[combo] === 1) {
        const time = times[seq]!;
        if (time >= from && time <= to) n[combo]! += by;
      }
    };
    return { n, add };
  }

  private rows(n: Float64Array): FacetRow[] {
    const rows: FacetRow[] = [];
    n.forEach((count, id) => {
      if (count === 0) return;
      const dims = this.dims[id]!;
      rows.push(
        Object.fromEntries([...ROLLUP_DIMENSIONS.map((d, i) => [d, dims[i]!]), ['n', count]]),
      );
    });
    return rows;
  }

  /** The latest time of the entries stored before `seq` (0 for none). */
  latestBefore(seq: number): number {
    this.readOn();
    return this.latest[Math.min(seq - 1, this.through)] ?? 0;
  }

  /**
   * Reads what was stored since the last call, a chunk at a time, yielding between chunks: for
   * a server that starts, so that its first search does not wait for all of it.
   */
  async warmUp(): Promise<void> {
    while (this.readOn(1)) await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Reads the entries and combinations stored since the last call, at most `chunks` chunks;
   * whether more may wait.
   */
  private readOn(chunks = Infinity): boolean {
    let more = false;
    for (let read = 0; read < chunks; read++) {
      more = false;
      const [last, seqs, times, combos] = this.readEntries.get(this.through) as [
        number | null,
        string,
        string,
        string,
      ];
      if (last === null) break;
      this.grow(last + 1);
      const s = JSON.parse(seqs) as number[];
      const t = JSON.parse(times) as number[];
      const c = JSON.parse(combos) as number[];
      for (let i = 0; i < s.length; i++) {
        this.times[s[i]!] = t[i]!;
        this.combos[s[i]!] = c[i]!;
      }
      for (let seq = this.through + 1; seq <= last; seq++)
        this.latest[seq] = Math.max(this.latest[seq - 1]!, this.times[seq]!);
      this.through = last;
      if (s.length < CHUNK) break;
      more = true;
    }
    for (const [id, ...dims] of this.readCombos.all(this.dims.length) as Array<
      [number, ...string[]]
    >) {
      this.dims[id] = dims;
    }
    return more;
  }

  private grow(size: number): void {
    if (size <= this.combos.length) return;
    const capacity = Math.max(size, this.combos.length * 2, 1024);
    const times = new Float64Array(capacity);
    times.set(this.times);
    const combos = new Int32Array(capacity);
    combos.set(this.combos);
    const latest = new Float64Array(capacity);
    latest.set(this.latest);
    this.times = times;
    this.combos = combos;
    this.latest = latest;
  }
}
