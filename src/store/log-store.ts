import type { Entry, EntryDetail } from '../model/entry.ts';
import type { PreparedEntry } from './entry-codec.ts';
import type { Task, TaskInput } from '../model/task.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { TaskFilter } from '../query/task-filter.ts';

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
  listEntries(filter: EntryFilter, page: PageRequest): Promise<Page<Entry>>;
  facets(filter: EntryFilter): Promise<Facets>;
  getEntry(changeId: string): Promise<EntryDetail | undefined>;
  listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<Task>>;
  getTask(id: string): Promise<Task | undefined>;
  /** Reachability for /healthz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
