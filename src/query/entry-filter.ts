import {
  ACTIONS,
  DIRECTIONS,
  ENTRY_STATUSES,
  OBJECT_TYPES,
  SKIP_REASONS,
  SOURCES,
  TRIGGER_METHODS,
  TRIGGER_MODULES,
  type Action,
  type Direction,
  type EntryStatus,
  type ObjectType,
  type SkipReason,
  type Source,
  type TriggerMethod,
  type TriggerModule,
} from '../model/enums.ts';
import type { FieldError } from '../model/validation-error.ts';
import { isIsoDateTime } from '../model/formats.ts';

/** What the entry list, facets and exports select; every value list is OR, fields are AND. */
export interface EntryFilter {
  from?: number;
  to?: number;
  direction?: Direction[];
  status?: EntryStatus[];
  action?: Action[];
  objectType?: ObjectType[];
  skipReason?: SkipReason[];
  triggerModule?: TriggerModule[];
  triggerMethod?: TriggerMethod[];
  source?: Source[];
  taskId?: string[];
  jobId?: string[];
  cycleId?: string[];
  changeId?: string[];
  operationId?: string[];
  sourceSystem?: string[];
  targetSystem?: string[];
  errorCode?: string[];
  /** System name contains (case-insensitive), source or target. */
  application?: string;
  /** Display name or id, in source or target; partial, case-insensitive. */
  identity?: string;
  /** Free text: each word begins a word the entry says (store/entry-words.ts), or the change id. */
  q?: string;
}

export type RawQuery = Record<string, unknown>;

const ENUM_FILTERS = {
  direction: DIRECTIONS,
  status: ENTRY_STATUSES,
  action: ACTIONS,
  objectType: OBJECT_TYPES,
  skipReason: SKIP_REASONS,
  triggerModule: TRIGGER_MODULES,
  triggerMethod: TRIGGER_METHODS,
  source: SOURCES,
} as const;

const ID_FILTERS = [
  'taskId',
  'jobId',
  'cycleId',
  'changeId',
  'operationId',
  'sourceSystem',
  'targetSystem',
  'errorCode',
] as const;

const TEXT_FILTERS = ['application', 'identity', 'q'] as const;

export const ENTRY_FILTER_NAMES: readonly string[] = [
  'from',
  'to',
  'window',
  ...Object.keys(ENUM_FILTERS),
  ...ID_FILTERS,
  ...TEXT_FILTERS,
];

const WINDOW = /^([1-9]\d{0,3})([hd])$/;
const MAX_VALUES = 100;

export class FilterError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export { foldForSearch, foldText } from '../model/fold-text.ts';

function single(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) return raw.map(String).join(',');
  return String(raw);
}

function list(raw: unknown): string[] | undefined {
  const s = single(raw);
  if (s === undefined) return undefined;
  const values = s
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  return values.length > 0 ? [...new Set(values)] : undefined;
}

export function parseWindow(value: string): number | undefined {
  const m = WINDOW.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'h' ? 3600_000 : 86_400_000);
}

/** Parses query parameters into a filter, naming each bad one; `allowed` are extra names (limit, cursor…). */
export function parseEntryFilter(
  query: RawQuery,
  opts: { allowed?: readonly string[]; now?: number } = {},
): EntryFilter {
  const errors: FieldError[] = [];
  const filter: EntryFilter = {};
  const allowed = new Set([...ENTRY_FILTER_NAMES, ...(opts.allowed ?? [])]);
  for (const name of Object.keys(query)) {
    if (!allowed.has(name)) errors.push({ field: name, message: 'is not a known filter' });
  }
  for (const [name, values] of Object.entries(ENUM_FILTERS)) {
    const got = list(query[name]);
    if (!got) continue;
    const bad = got.filter((v) => !(values as readonly string[]).includes(v));
    if (bad.length > 0) {
      errors.push({
        field: name,
        message: `unknown value ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected one of ${values.join(', ')}`,
      });
    } else {
      (filter as Record<string, unknown>)[name] = got;
    }
  }
  for (const name of ID_FILTERS) {
    const got = list(query[name]);
    if (!got) continue;
    if (got.length > MAX_VALUES)
      errors.push({ field: name, message: `at most ${MAX_VALUES} values` });
    else if (got.some((v) => v.length > 200))
      errors.push({ field: name, message: 'values are at most 200 characters' });
    else filter[name] = got;
  }
  for (const name of TEXT_FILTERS) {
    const got = single(query[name])?.trim();
    if (!got) continue;
    if (got.length > 200) errors.push({ field: name, message: 'is at most 200 characters' });
    else filter[name] = got;
  }
  parseTimeRange(query, filter, errors, opts.now ?? Date.now());
  if (errors.length > 0) throw new FilterError(errors);
  return filter;
}

export function parseTimeRange(
  query: RawQuery,
  target: { from?: number; to?: number },
  errors: FieldError[],
  now: number,
): void {
  for (const name of ['from', 'to'] as const) {
    const v = single(query[name]);
    if (v === undefined || v === '') continue;
    if (!isIsoDateTime(v))
      errors.push({
        field: name,
        message: `must be an ISO 8601 date-time with a time zone, got ${JSON.stringify(v)}`,
      });
    else target[name] = Date.parse(v);
  }
  const window = single(query.window);
  if (window !== undefined && window !== '') {
    const ms = parseWindow(window);
    if (ms === undefined)
      errors.push({
        field: 'window',
        message: `must look like 24h, 7d or 30d, got ${JSON.stringify(window)}`,
      });
    else if (target.from !== undefined)
      errors.push({ field: 'window', message: 'cannot be combined with from' });
    else target.from = (target.to ?? now) - ms;
  }
  if (target.from !== undefined && target.to !== undefined && target.from > target.to) {
    errors.push({ field: 'from', message: 'is after to' });
  }
}
