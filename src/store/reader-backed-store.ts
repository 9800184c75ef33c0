import type { Entry, EntryDetail } from '../model/entry.ts';
import type { Task } from '../model/task.ts';
import type { EntryFilter } from '../query/entry-filter.ts';
import type { TaskFilter } from '../query/task-filter.ts';
import type { LogReader } from './log-reader.ts';
import type { Facets, Page, PageRequest } from './log-store.ts';

/** The read half of a LogStore, shared by both stores: every read goes through the LogReader. */
export abstract class ReaderBackedStore {
  protected abstract readonly reader: LogReader;

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
