import { sql, type Expression, type SqlBool } from 'kysely';
import { textHash } from '../text-hash.ts';
import type { SqliteDb } from './open.ts';

/**
 * Columns of the embedded store's entries indexed through their value's id in `entry_keys`
 * (migration 9): values that many entries share — a task, a job, a status, a system — so the
 * dictionary stays small and its ids are small integers.
 */
export const DICTIONARY_KEYED = {
  task_id: 'task_key',
  job_id: 'job_key',
  cycle_id: 'cycle_key',
  status: 'status_key',
  error_code: 'error_key',
  source_system_id: 'source_key',
  target_system_id: 'target_key',
  application_id: 'application_key',
} as const;

/** Columns indexed through a hash of their value: ids of about one entry each. */
export const HASH_KEYED = {
  change_id: 'change_key',
  operation_id: 'operation_key',
} as const;

type DictionaryColumn = keyof typeof DICTIONARY_KEYED;
type HashColumn = keyof typeof HASH_KEYED;

const isDictionary = (c: string): c is DictionaryColumn => Object.hasOwn(DICTIONARY_KEYED, c);
const isHashed = (c: string): c is HashColumn => Object.hasOwn(HASH_KEYED, c);

/** Whether a filter on `column` needs the dictionary ids of its values (resolveKeys). */
export const usesDictionary = (column: string): boolean => isDictionary(column);

const ref = (column: string, alias?: string) => sql.ref(alias ? `${alias}.${column}` : column);

/**
 * `column` of entries is one of `values`, through the column's index: its key is one of the
 * values' keys (`keys` holds their dictionary ids; a value without one is in no entry). A hash
 * is checked against the text, as two values may share one.
 */
export function keyedValueIn(
  column: string,
  values: readonly string[],
  keys: ReadonlyMap<string, number>,
  alias?: string,
): Expression<SqlBool> {
  if (isHashed(column)) {
    if (values.length === 0) return sql<SqlBool>`1 = 0`;
    const hashes = [...new Set(values.map((v) => textHash(v)))];
    return sql<SqlBool>`(${ref(HASH_KEYED[column], alias)} IN (${sql.join(hashes)}) AND ${ref(column, alias)} IN (${sql.join(values)}))`;
  }
  if (isDictionary(column)) {
    const ids = [...new Set(values.flatMap((v) => (keys.has(v) ? [keys.get(v)!] : [])))];
    if (ids.length === 0) return sql<SqlBool>`1 = 0`;
    return sql<SqlBool>`${ref(DICTIONARY_KEYED[column], alias)} IN (${sql.join(ids)})`;
  }
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${ref(column, alias)} IN (${sql.join(values)})`;
}

/** Two entries (by alias) have the same value of a hash-keyed column, through its index. */
export function sameKeyedValue(column: HashColumn, a: string, b: string): Expression<SqlBool> {
  const key = HASH_KEYED[column];
  return sql<SqlBool>`(${ref(key, a)} = ${ref(key, b)} AND ${ref(column, a)} = ${ref(column, b)})`;
}

/** Cached ids beyond this many are dropped (they are looked up again). */
const CACHE_LIMIT = 200_000;

/** The writer's side of `entry_keys`: the id of a value, added on first use. */
export class EntryKeyDictionary {
  private readonly ids = new Map<string, number>();
  private readonly select;
  private readonly insert;

  constructor(db: SqliteDb) {
    this.select = db.prepare('SELECT id FROM entry_keys WHERE text = ?').pluck();
    this.insert = db.prepare('INSERT INTO entry_keys (text) VALUES (?)');
  }

  /** Inside the writer's transaction: the value's id, stored if new; null for null. */
  key(text: string | null): number | null {
    if (text === null) return null;
    let id = this.ids.get(text);
    if (id !== undefined) return id;
    id =
      (this.select.get(text) as number | undefined) ??
      Number(this.insert.run(text).lastInsertRowid);
    if (this.ids.size >= CACHE_LIMIT) this.ids.clear();
    this.ids.set(text, id);
    return id;
  }

  /** After a rollback: cached ids may not exist. */
  forget(): void {
    this.ids.clear();
  }
}
