import {
  DIRECTIONS,
  TASK_STATUSES,
  TRIGGER_MODULES,
  type Direction,
  type TaskStatus,
  type TriggerModule,
} from '../model/enums.ts';
import type { FieldError } from '../model/validation-error.ts';
import { FilterError, parseTimeRange, type RawQuery } from './entry-filter.ts';

export interface TaskFilter {
  from?: number;
  to?: number;
  direction?: Direction[];
  status?: TaskStatus[];
  triggerModule?: TriggerModule[];
  jobId?: string[];
}

export const TASK_FILTER_NAMES = [
  'from',
  'to',
  'window',
  'direction',
  'status',
  'triggerModule',
  'jobId',
];

function list(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw.join(',') : String(raw))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? [...new Set(values)] : undefined;
}

export function parseTaskFilter(
  query: RawQuery,
  opts: { allowed?: readonly string[]; now?: number } = {},
): TaskFilter {
  const errors: FieldError[] = [];
  const filter: TaskFilter = {};
  const allowed = new Set([...TASK_FILTER_NAMES, ...(opts.allowed ?? [])]);
  for (const name of Object.keys(query)) {
    if (!allowed.has(name)) errors.push({ field: name, message: 'is not a known filter' });
  }
  const enums = {
    direction: DIRECTIONS,
    status: TASK_STATUSES,
    triggerModule: TRIGGER_MODULES,
  } as const;
  for (const [name, values] of Object.entries(enums)) {
    const got = list(query[name]);
    if (!got) continue;
    const bad = got.filter((v) => !(values as readonly string[]).includes(v));
    if (bad.length)
      errors.push({
        field: name,
        message: `unknown value ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected one of ${values.join(', ')}`,
      });
    else (filter as Record<string, unknown>)[name] = got;
  }
  const jobs = list(query.jobId);
  if (jobs) {
    if (jobs.length > 100 || jobs.some((j) => j.length > 200))
      errors.push({ field: 'jobId', message: 'at most 100 values of 200 characters' });
    else filter.jobId = jobs;
  }
  parseTimeRange(query, filter, errors, opts.now ?? Date.now());
  if (errors.length) throw new FilterError(errors);
  return filter;
}
