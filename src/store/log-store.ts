import type { Entry, EntryDetail } from '../model/entry.ts';
import type { PreparedEntry } from './entry-codec.ts';
import type { Task, TaskInput } from '../model/task.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { TaskFilter } from '../query/task-filter.ts';
import type { PackedBatch } from '../ingest/packed-batch.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** Values present and their counts, per field: `{ status: { failure: 12 } }`. */
export type Facets = Record<string, Record<string, number>>;

export interface StoreIngestResult {
  /** One outcome per input, in input order. */
  entries: Array<'accepted' | 'duplicate'>;
  tasks: Array<'accepted' | 'duplicate'>;
}

/**
 * The provisioning log. Entries are append-only; task status and counts are derived from them.
 * Inputs reaching the store are already validated and normalised (model/normalize.ts).
 */
export interface LogStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores entries as they are (each split by prepareEntry on this thread). */
  ingest(batch: { tasks: TaskInput[]; entries: Entry[] }): Promise<StoreIngestResult>;
  /** Stores entries already split by prepareEntry (possibly on another thread). */
  ingestPrepared(batch: {
    tasks: TaskInput[];
    entries: PreparedEntry[];
  }): Promise<StoreIngestResult>;
  /**
   * Optional: a batch prepared and packed by an ingest worker (ingest/packed-batch.ts), for a
   * store that hands batches to a writer thread as they are; its `rejected` are not its concern.
   */
  ingestPacked?(batch: PackedBatch): Promise<StoreIngestResult>;
  listEntries(filter: EntryFilter, page: PageRequest): Promise<Page<Entry>>;
  facets(filter: EntryFilter): Promise<Facets>;
  getEntry(changeId: string): Promise<EntryDetail | undefined>;
  listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<Task>>;
  getTask(id: string): Promise<Task | undefined>;
  /** Reachability for /healthz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * An upgrade of an existing store's schema, step by step: `done` is false before a migration
 * runs and true after it (with the seconds it took). Some rebuild a table, which takes a while
 * on a large store, so an operator should see why a start waits. A new store is not reported.
 * `store` names what is upgraded: the database file, or the PostgreSQL schema.
 */
export type MigrationProgress = (step: {
  store: string;
  version: number;
  name: string;
  done: boolean;
  seconds?: number;
}) => void;
