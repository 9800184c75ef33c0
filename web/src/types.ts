import type { EntryInput } from '../../src/model/entry.ts';
import type { TaskInput } from '../../src/model/task.ts';
import type { JobInput } from '../../src/model/job.ts';
import type { TaskStatus } from '../../src/model/enums.ts';

/** Shapes of the HTTP API's answers, built from the model's types (the only thing web shares). */
export type Entry = Omit<EntryInput, 'taskId'> & {
  taskId: string | null;
  operationId: string;
  resolvedBy?: string | null;
  state?: 'retrying' | 'resolved';
};
export interface RelatedAttempt {
  changeId: string;
  time: string;
  status: string;
  action: string;
  attempt?: number;
  errorCode?: string;
  taskId: string | null;
}
export type EntryDetail = Entry & { relatedAttempts: RelatedAttempt[] };

export interface TaskCounts {
  processed: number;
  created: number;
  updated: number;
  deleted: number;
  disabled: number;
  skipped: number;
  failed: number;
  resolved: number;
  pending: number;
  failedByType: Record<string, number>;
}
export type Task = Omit<TaskInput, 'status' | 'endedAt' | 'parentTaskId'> & {
  parentTaskId: string | null;
  endedAt: string | null;
  status: TaskStatus;
  statusDescription: string;
  counts: TaskCounts;
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export type Facets = Record<string, Record<string, number>>;

export interface ErrorCodeInfo {
  code: string;
  aliases: string[];
  title: string;
  description: string;
  recommendation: string;
  transient: boolean;
  origin: string;
}

export interface SystemView {
  id: string;
  name: string;
  type: string;
  settings?: Record<string, unknown>;
  secretNames: string[];
  traceLevel: string;
  createdAt: string;
  updatedAt: string;
}
export type JobView = JobInput & {
  id: string;
  state: 'active' | 'paused' | 'quarantined' | 'not_run';
  stateReason?: string;
  createdAt: string;
  updatedAt: string;
};

export interface Figures {
  total: number;
  created: number;
  updated: number;
  deleted: number;
  disabled: number;
  skipped: number;
  failed: number;
}
export interface Summary {
  window: string;
  timeZone: string;
  from: string;
  to: string;
  totals: Figures;
  days: (Figures & { day: string; from: string; to: string })[];
  applications: { name: string; total: number; failed: number }[];
  topErrors: { code: string; title: string; count: number }[];
}
