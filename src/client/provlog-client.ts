import type { Entry, EntryDetail, EntryInput } from '../model/entry.ts';
import type { Task, TaskInput } from '../model/task.ts';
import type { Job, System } from '../model/job.ts';
import type { FieldError } from '../model/validation-error.ts';
import type {
  Action,
  Direction,
  EntryStatus,
  ObjectType,
  SkipReason,
  Source,
  TaskStatus,
  TriggerMethod,
  TriggerModule,
} from '../model/enums.ts';

/** Query parameters of `GET /api/v1/entries` (several values: an array or a comma list). */
export interface EntryQuery {
  from?: string;
  to?: string;
  window?: string;
  direction?: Direction | Direction[];
  status?: EntryStatus | EntryStatus[];
  action?: Action | Action[];
  objectType?: ObjectType | ObjectType[];
  skipReason?: SkipReason | SkipReason[];
  triggerModule?: TriggerModule | TriggerModule[];
  triggerMethod?: TriggerMethod | TriggerMethod[];
  source?: Source | Source[];
  taskId?: string | string[];
  jobId?: string | string[];
  cycleId?: string | string[];
  changeId?: string | string[];
  operationId?: string | string[];
  sourceSystem?: string | string[];
  targetSystem?: string | string[];
  errorCode?: string | string[];
  application?: string;
  identity?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface TaskQuery {
  from?: string;
  to?: string;
  window?: string;
  direction?: Direction | Direction[];
  status?: TaskStatus | TaskStatus[];
  triggerModule?: TriggerModule | TriggerModule[];
  jobId?: string | string[];
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{
    index: number;
    kind?: 'task' | 'entry';
    line?: number;
    changeId?: string;
    errors: FieldError[];
  }>;
}

export type Facets = Record<string, Record<string, number>>;

/** An answer of the API that is an RFC 9457 problem. */
export class ProvlogApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token?: string | undefined;
  /** Defaults to the global fetch; the CLI passes an in-process one. */
  fetch?: FetchLike;
}

function toSearch(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Typed client for the ingestion and query API. */
export class ProvlogClient {
  private readonly fetch: FetchLike;
  private readonly baseUrl: string;

  constructor(private readonly opts: ClientOptions) {
    this.fetch = opts.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(
    method: string,
    path: string,
    body?: { type: string; text: string },
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body) headers['content-type'] = body.type;
    const res = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body ? { body: body.text } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ProvlogApiError(
        res.status,
        'invalid_response',
        'The server did not answer JSON',
        text.slice(0, 200),
      );
    }
    if (!res.ok) {
      const p = (parsed ?? {}) as {
        code?: string;
        title?: string;
        detail?: string;
        errors?: FieldError[];
      };
      throw new ProvlogApiError(
        res.status,
        p.code ?? 'http_error',
        p.title ?? `HTTP ${res.status}`,
        p.detail,
        p.errors ?? [],
      );
    }
    return parsed as T;
  }

  ingest(batch: { tasks?: TaskInput[]; entries?: EntryInput[] }): Promise<IngestAnswer> {
    return this.call('POST', '/api/v1/ingest', {
      type: 'application/json',
      text: JSON.stringify(batch),
    });
  }

  /** NDJSON ingestion: the fastest path for large batches. */
  ingestNdjson(
    records: Array<({ kind: 'task' } & TaskInput) | ({ kind: 'entry' } & EntryInput)> | string,
  ): Promise<IngestAnswer> {
    const text =
      typeof records === 'string' ? records : records.map((r) => JSON.stringify(r)).join('\n');
    return this.call('POST', '/api/v1/ingest', { type: 'application/x-ndjson', text });
  }

  /** Retries a failed entry now; answers the new attempt's entry. */
  retryEntry(changeId: string, actor?: { id: string; displayName?: string }): Promise<Entry> {
    return this.call(
      'POST',
      `/api/v1/entries/${encodeURIComponent(changeId)}/retry`,
      json({ ...(actor ? { actor } : {}) }),
    );
  }

  /** Confirms a failed entry was done by hand; answers the confirmation entry. */
  confirmEntry(changeId: string, actor?: { id: string; displayName?: string }): Promise<Entry> {
    return this.call(
      'POST',
      `/api/v1/entries/${encodeURIComponent(changeId)}/confirm`,
      json({ ...(actor ? { actor } : {}) }),
    );
  }

  /** Runs a task's work again as a new, linked task. */
  retriggerTask(taskId: string): Promise<{ taskId: string }> {
    return this.call('POST', `/api/v1/tasks/${encodeURIComponent(taskId)}/retrigger`);
  }

  /** Pushes one hub user or group through an outbound job now (or only shows what would be sent). */
  provisionOnDemand(
    jobId: string,
    objectId: string,
    opts: { dryRun?: boolean } = {},
  ): Promise<Entry> {
    return this.call(
      'POST',
      `/api/v1/jobs/${encodeURIComponent(jobId)}/provision-on-demand`,
      json({ objectId, ...opts }),
    );
  }

  listEntries(query: EntryQuery = {}): Promise<Page<Entry>> {
    return this.call('GET', `/api/v1/entries${toSearch(query)}`);
  }

  /** Every entry the query selects, page by page. */
  async *entries(query: EntryQuery = {}): AsyncGenerator<Entry> {
    let cursor: string | undefined = query.cursor;
    do {
      const page = await this.listEntries({ ...query, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  facets(query: Omit<EntryQuery, 'limit' | 'cursor'> = {}): Promise<Facets> {
    return this.call('GET', `/api/v1/entries/facets${toSearch(query)}`);
  }

  getEntry(changeId: string): Promise<EntryDetail> {
    return this.call('GET', `/api/v1/entries/${encodeURIComponent(changeId)}`);
  }

  listTasks(query: TaskQuery = {}): Promise<Page<Task>> {
    return this.call('GET', `/api/v1/tasks${toSearch(query)}`);
  }

  getTask(id: string): Promise<Task> {
    return this.call('GET', `/api/v1/tasks/${encodeURIComponent(id)}`);
  }

  listSystems(): Promise<{ items: System[] }> {
    return this.call('GET', '/api/v1/systems');
  }

  listJobs(query: { systemId?: string } = {}): Promise<{ items: Job[] }> {
    return this.call('GET', `/api/v1/jobs${toSearch(query)}`);
  }

  /** Starts a run; follow the task with getTask. */
  runJob(id: string, file?: string): Promise<{ taskId: string }> {
    return this.call('POST', `/api/v1/jobs/${encodeURIComponent(id)}/run`, {
      type: 'application/json',
      text: JSON.stringify(file ? { file } : {}),
    });
  }

  /** Carries out the deletions the job's deletion protection held. */
  approveDeletions(
    id: string,
    approver: { id: string; displayName?: string },
  ): Promise<{ approved: number; taskId: string | null }> {
    return this.call('POST', `/api/v1/jobs/${encodeURIComponent(id)}/approve-deletions`, {
      type: 'application/json',
      text: JSON.stringify({ approver }),
    });
  }

  health(): Promise<{ status: 'ok'; store: string }> {
    return this.call('GET', '/healthz');
  }
}

const json = (value: unknown) => ({ type: 'application/json', text: JSON.stringify(value) });
