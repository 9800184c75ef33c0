import type { ReactNode } from 'react';
import type { Entry } from './types.ts';
import { fmtTime, label } from './format.ts';
import { StatusBadge } from './components/status-badge.tsx';

export interface Column {
  id: string;
  label: string;
  width: number;
  render: (e: Entry) => ReactNode;
}

const identity = (e: Entry) =>
  e.sourceIdentity?.displayName ??
  e.targetIdentity?.displayName ??
  e.sourceIdentity?.id ??
  e.targetIdentity?.id ??
  '—';

/** Every column the log can show; the user picks which (kept in localStorage). */
export const COLUMNS: Column[] = [
  { id: 'time', label: 'Date', width: 215, render: (e) => fmtTime(e.time) },
  { id: 'identity', label: 'Identity', width: 200, render: identity },
  { id: 'action', label: 'Action', width: 100, render: (e) => label(e.action) },
  {
    id: 'status',
    label: 'Status',
    width: 170,
    render: (e) => <StatusBadge status={e.status} state={e.state} />,
  },
  {
    id: 'sourceSystem',
    label: 'Source system',
    width: 140,
    render: (e) => e.sourceSystem?.name ?? '—',
  },
  {
    id: 'targetSystem',
    label: 'Target system',
    width: 140,
    render: (e) => e.targetSystem?.name ?? '—',
  },
  { id: 'errorCode', label: 'Error code', width: 170, render: (e) => e.errorCode ?? '' },
  { id: 'direction', label: 'Direction', width: 90, render: (e) => label(e.direction) },
  { id: 'objectType', label: 'Object type', width: 100, render: (e) => label(e.objectType) },
  {
    id: 'reason',
    label: 'Reason',
    width: 260,
    render: (e) => e.reason ?? (e.skipReason ? label(e.skipReason) : ''),
  },
  { id: 'source', label: 'Trigger', width: 150, render: (e) => label(e.source) },
  { id: 'attempt', label: 'Attempt', width: 80, render: (e) => e.attempt ?? '' },
  {
    id: 'durationMs',
    label: 'Duration',
    width: 90,
    render: (e) => (e.durationMs === undefined ? '' : `${e.durationMs} ms`),
  },
  { id: 'jobId', label: 'Job ID', width: 200, render: (e) => e.jobId ?? '' },
  { id: 'cycleId', label: 'Cycle ID', width: 200, render: (e) => e.cycleId ?? '' },
  { id: 'changeId', label: 'Change ID', width: 240, render: (e) => e.changeId },
  { id: 'taskId', label: 'Task', width: 200, render: (e) => e.taskId ?? '' },
];

export const DEFAULT_COLUMNS = [
  'time',
  'identity',
  'action',
  'status',
  'sourceSystem',
  'targetSystem',
  'errorCode',
];
const KEY = 'provlog.log.columns';

export function loadColumns(): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as unknown;
    if (Array.isArray(saved) && saved.every((s) => typeof s === 'string')) {
      const known = saved.filter((s) => COLUMNS.some((c) => c.id === s));
      if (known.length) return known;
    }
  } catch {
    // A damaged saved choice falls back to the defaults.
  }
  return DEFAULT_COLUMNS;
}
export const saveColumns = (ids: string[]) => localStorage.setItem(KEY, JSON.stringify(ids));
