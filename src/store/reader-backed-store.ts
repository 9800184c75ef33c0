import type { Entry, EntryDetail } from '../model/entry.ts';
import type { Task, TaskInput } from '../model/task.ts';
import { prepareEntry, type PreparedEntry } from './entry-codec.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { TaskFilter } from '../query/task-filter.ts';
import type { LogReader } from './log-reader.ts';
import type { Facets, Page, PageRequest, StoreIngestResult } from './log-store.ts';

/**
 * What both stores share: every read goes through the LogReader, and plain entries are
 * prepared here before the store's own write path takes them.
 */
export abstract class ReaderBackedStore {
  protected abstract readonly reader: LogReader;

  abstract ingestPrepared(batch: {
    tasks: TaskInput[];
    entries: PreparedEntry[];
  }): Promise<StoreIngestResult>;

  ingest(batch: { tasks: TaskInput[]; entries: Entry[] }): Promise<StoreIngestResult> {
    return this.ingestPrepared({ tasks: batch.tasks, entries: batch.entries.map(prepareEntry) });
  }

  listEntries(filter: EntryFilter, page: PageRequest): Promise<Page<Entry>> {
    return this.reader.listEntries(filter, page);
  }

  facets(filter: EntryFilter): Promise<Facets> {
    return this.reader.facets(filter);
  }

  getEntry(changeId: string): Promise<EntryDetail | undefined> {
    return this.reader.getEntry(changeId);
  }

  listTasks(filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    return this.reader.listTasks(filter, page);
  }

  getTask(id: string): Promise<Task | undefined> {
    return this.reader.getTask(id);
  }
}
