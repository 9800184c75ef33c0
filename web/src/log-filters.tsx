import { useEffect, useState } from 'react';
import type { Facets } from './types.ts';
import { fromLocalInput, label, toLocalInput } from './format.ts';
import { MultiSelect } from './components/multi-select.tsx';

/**
 * The filters the log offers, in the order shown; all of them are API query names. `multi`
 * ones pick several values, sent comma-separated (the API ORs them); system names and job ids
 * may hold a comma themselves, so they pick one.
 */
export const SELECT_FILTERS = [
  { id: 'direction', label: 'Direction', multi: true, raw: false },
  { id: 'status', label: 'Status', multi: true, raw: false },
  { id: 'action', label: 'Action', multi: true, raw: false },
  { id: 'objectType', label: 'Object type', multi: true, raw: false },
  { id: 'skipReason', label: 'Skip reason', multi: true, raw: false },
  { id: 'sourceSystem', label: 'Source system', multi: false, raw: true },
  { id: 'targetSystem', label: 'Target system', multi: false, raw: true },
  { id: 'errorCode', label: 'Error code', multi: true, raw: true },
  { id: 'jobId', label: 'Job ID', multi: false, raw: true },
] as const;
export const TEXT_FILTERS = [
  { id: 'q', label: 'Words', hint: 'start of words an entry says' },
  { id: 'identity', label: 'Identity', hint: 'name or id, source or target' },
  { id: 'application', label: 'Application', hint: 'name contains' },
  { id: 'taskId', label: 'Task ID', hint: '' },
  { id: 'cycleId', label: 'Cycle ID', hint: '' },
  { id: 'changeId', label: 'Change ID', hint: '' },
] as const;
export const TIME_PRESETS = ['24h', '7d', '30d'] as const;
export const FILTER_NAMES = [
  'window',
  'from',
  'to',
  ...SELECT_FILTERS.map((f) => f.id),
  ...TEXT_FILTERS.map((f) => f.id),
];
export const DEFAULT_WINDOW = '7d';

type Params = Record<string, string>;

function TextFilter(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  set: (v: string) => void;
}) {
  const [v, setV] = useState(props.value);
  useEffect(() => setV(props.value), [props.value]);
  // Typing waits for a pause before it asks the server.
  useEffect(() => {
    if (v === props.value) return;
    const t = setTimeout(() => props.set(v.trim()), 400);
    return () => clearTimeout(t);
  }, [v]);
  return (
    <label className="filter">
      <span>{props.label}</span>
      <input
        type="search"
        name={props.id}
        value={v}
        placeholder={props.hint || 'any'}
        onChange={(e) => setV(e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && props.set(v.trim())}
      />
    </label>
  );
}

export function LogFilters(props: {
  params: Params;
  facets: Facets | undefined;
  set: (p: Params) => void;
}) {
  const { params, facets, set } = props;
  const change = (name: string, value: string) => {
    const next = { ...params };
    if (value) next[name] = value;
    else delete next[name];
    set(next);
  };
  const custom = !params.window && (params.from || params.to);
  const timeValue = custom ? 'custom' : (params.window ?? DEFAULT_WINDOW);
  const setTime = (v: string) => {
    const { window: _w, from: _f, to: _t, ...rest } = params;
    if (v === 'custom') {
      set({ ...rest, from: new Date(Date.now() - 86_400_000).toISOString() });
    } else set({ ...rest, window: v });
  };
  return (
    <div className="filters" role="search" aria-label="Filter the log">
      <label className="filter">
        <span>Date</span>
        <select name="window" value={timeValue} onChange={(e) => setTime(e.target.value)}>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="custom">Custom range…</option>
        </select>
      </label>
      {custom && (
        <>
          <label className="filter">
            <span>From</span>
            <input
              type="datetime-local"
              name="from"
              value={toLocalInput(params.from ?? null)}
              onChange={(e) => change('from', fromLocalInput(e.target.value))}
            />
          </label>
          <label className="filter">
            <span>To</span>
            <input
              type="datetime-local"
              name="to"
              value={toLocalInput(params.to ?? null)}
              onChange={(e) => change('to', fromLocalInput(e.target.value))}
            />
          </label>
        </>
      )}
      {SELECT_FILTERS.map((f) => {
        const present = Object.entries(facets?.[f.id] ?? {}).sort((a, b) => b[1] - a[1]);
        const selected = params[f.id];
        if (present.length === 0 && !selected) return null;
        if (f.multi) {
          return (
            <MultiSelect
              key={f.id}
              name={f.id}
              label={f.label}
              options={present.map(([v, n]) => ({
                value: v,
                label: f.raw ? v : label(v),
                count: n,
              }))}
              selected={selected ? selected.split(',') : []}
              set={(values) => change(f.id, values.join(','))}
            />
          );
        }
        return (
          <label className="filter" key={f.id}>
            <span>{f.label}</span>
            <select
              name={f.id}
              value={selected ?? ''}
              onChange={(e) => change(f.id, e.target.value)}
            >
              <option value="">All</option>
              {selected && !present.some(([v]) => v === selected) && (
                <option value={selected}>{selected}</option>
              )}
              {present.map(([v, n]) => (
                <option key={v} value={v}>
                  {f.raw ? v : label(v)} ({n.toLocaleString()})
                </option>
              ))}
            </select>
          </label>
        );
      })}
      {TEXT_FILTERS.map((f) => (
        <TextFilter key={f.id} {...f} value={params[f.id] ?? ''} set={(v) => change(f.id, v)} />
      ))}
    </div>
  );
}
