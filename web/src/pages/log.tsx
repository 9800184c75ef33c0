import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { api, qs } from '../api.ts';
import { takeFirstPage } from '../first-page.ts';
import { navigate, useLocation } from '../router.tsx';
import { useApi } from '../use-api.ts';
import type { Entry, Facets, Page } from '../types.ts';
import { DEFAULT_WINDOW, FILTER_NAMES, LogFilters } from '../log-filters.tsx';
import { COLUMNS, DEFAULT_COLUMNS, loadColumns, saveColumns } from '../log-columns.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';

// The entry's details are a chunk of their own: the list comes first.
const EntryPane = lazy(() => import('./entry-pane.tsx').then((m) => ({ default: m.EntryPane })));

const ROW = 36;
const PAGE = 100;

/** The filters of the URL, with the default time window when none is given. */
function filtersOf(search: URLSearchParams): Record<string, string> {
  const p: Record<string, string> = {};
  for (const name of FILTER_NAMES) {
    const v = search.get(name);
    if (v) p[name] = v;
  }
  if (!p.window && !p.from && !p.to) p.window = DEFAULT_WINDOW;
  return p;
}

function useEntries(query: string) {
  const [items, setItems] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<{
    loading: boolean;
    error?: Error;
    done: boolean;
    /** The query whose first page has been answered (or failed). */
    settled?: string;
  }>({ loading: true, done: false });
  const inFlight = useRef<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    inFlight.current = query;
    setState({ loading: true, done: false });
    const path = `/entries${query}${query ? '&' : '?'}limit=${PAGE}`;
    (takeFirstPage<Page<Entry>>(path) ?? api.get<Page<Entry>>(path, ctl.signal))
      .then((p) => {
        if (ctl.signal.aborted) return;
        setItems(p.items);
        setCursor(p.nextCursor);
        setState({ loading: false, done: p.nextCursor === null, settled: query });
      })
      .catch((e: unknown) => {
        if (!ctl.signal.aborted)
          setState({ loading: false, error: e as Error, done: true, settled: query });
      })
      .finally(() => {
        if (inFlight.current === query) inFlight.current = null;
      });
    return () => ctl.abort();
  }, [query]);

  const more = useCallback(() => {
    if (!cursor || inFlight.current) return;
    inFlight.current = cursor;
    api
      .get<Page<Entry>>(
        `/entries${query}${query ? '&' : '?'}limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`,
      )
      .then((p) => {
        setItems((old) => [...old, ...p.items]);
        setCursor(p.nextCursor);
        setState((s) => ({ ...s, done: p.nextCursor === null }));
      })
      .catch((e: unknown) => setState((s) => ({ ...s, error: e as Error })))
      .finally(() => {
        inFlight.current = null;
      });
  }, [cursor, query]);

  return { items, more, ...state };
}

function ColumnChooser(props: { columns: string[]; set: (ids: string[]) => void }) {
  return (
    <details className="menu">
      <summary>Columns</summary>
      <div className="menu-body" role="group" aria-label="Columns shown">
        {COLUMNS.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={props.columns.includes(c.id)}
              onChange={(e) =>
                props.set(
                  e.target.checked
                    ? COLUMNS.filter((x) => x.id === c.id || props.columns.includes(x.id)).map(
                        (x) => x.id,
                      )
                    : props.columns.filter((id) => id !== c.id),
                )
              }
            />
            {c.label}
          </label>
        ))}
        <button type="button" onClick={() => props.set(DEFAULT_COLUMNS)}>
          Reset to default
        </button>
      </div>
    </details>
  );
}

export function LogPage() {
  const { search } = useLocation();
  const params = filtersOf(search);
  const query = qs(params);
  const selected = search.get('entry');
  const timeOnly = qs({ window: params.window, from: params.from, to: params.to });
  const { items, more, loading, error, done, settled } = useEntries(query);
  // Facets (the filters' values and counts) are asked for once the rows of this time range
  // are in: the store answers one query at a time, and the rows matter most.
  const [facetsFor, setFacetsFor] = useState<string | null>(null);
  useEffect(() => {
    if (settled === query) setFacetsFor(timeOnly);
  }, [settled, query, timeOnly]);
  const facets = useApi<Facets>(facetsFor === null ? null : `/entries/facets${facetsFor}`);
  const [columnIds, setColumnIds] = useState(loadColumns);
  const columns = useMemo(() => COLUMNS.filter((c) => columnIds.includes(c.id)), [columnIds]);
  const width = columns.reduce((a, c) => a + c.width, 0);
  const template = columns.map((c) => `${c.width}px`).join(' ');

  const setParams = (p: Record<string, string>) => {
    const entry = search.get('entry');
    navigate(`/logs${qs({ ...p, ...(entry ? { entry } : {}) })}`);
  };
  const open = (changeId: string | null) =>
    navigate(`/logs${qs({ ...params, ...(changeId ? { entry: changeId } : {}) })}`);

  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
  });
  const virtual = rows.getVirtualItems();
  const last = virtual.at(-1);
  useEffect(() => {
    if (last && last.index >= items.length - 30 && !done) more();
  }, [last?.index, items.length, done, more]);
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [query]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>, i: number) => {
    const go = (j: number) => {
      if (j < 0 || j >= items.length) return;
      rows.scrollToIndex(j);
      requestAnimationFrame(() =>
        scroller.current?.querySelector<HTMLElement>(`[data-index="${j}"]`)?.focus(),
      );
    };
    const act: Record<string, () => void> = {
      ArrowDown: () => go(i + 1),
      ArrowUp: () => go(i - 1),
      Enter: () => open(items[i]!.changeId),
      ' ': () => open(items[i]!.changeId),
    };
    const run = act[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  };

  return (
    <div className="page log-page">
      <div className="page-head">
        <h1>Provisioning log</h1>
        <div className="head-actions">
          <span className="muted" aria-live="polite">
            {loading ? 'Loading…' : `${items.length.toLocaleString()}${done ? '' : '+'} entries`}
          </span>
          <ColumnChooser
            columns={columnIds}
            set={(ids) => {
              setColumnIds(ids);
              saveColumns(ids);
            }}
          />
          {Object.keys(params).some((k) => k !== 'window') && (
            <button
              type="button"
              onClick={() => setParams({ window: params.window ?? DEFAULT_WINDOW })}
            >
              Clear filters
            </button>
          )}
        </div>
      </div>
      <LogFilters params={params} facets={facets.data} set={setParams} />
      {error && <ErrorBox error={error} />}
      <div className="grid" role="grid" aria-rowcount={items.length} ref={scroller}>
        <div
          className="grid-row grid-head"
          role="row"
          style={{ gridTemplateColumns: template, width }}
        >
          {columns.map((c) => (
            <div role="columnheader" key={c.id}>
              {c.label}
            </div>
          ))}
        </div>
        {loading && items.length === 0 && <Loading what="Loading entries…" />}
        {!loading && !error && items.length === 0 && (
          <Empty title="No entries match these filters.">
            Widen the date range or clear a filter.
          </Empty>
        )}
        <div style={{ height: rows.getTotalSize(), width, position: 'relative' }}>
          {virtual.map((v) => {
            const e = items[v.index]!;
            return (
              <div
                key={e.changeId}
                role="row"
                tabIndex={0}
                data-index={v.index}
                data-testid="log-row"
                aria-selected={e.changeId === selected}
                className={`grid-row ${e.status}`}
                style={{
                  gridTemplateColumns: template,
                  transform: `translateY(${v.start}px)`,
                  height: ROW,
                }}
                onClick={() => open(e.changeId)}
                onKeyDown={(ev) => onKey(ev, v.index)}
              >
                {columns.map((c) => (
                  <div role="gridcell" key={c.id}>
                    {c.render(e)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {selected && (
        <Suspense fallback={null}>
          <EntryPane changeId={selected} onClose={() => open(null)} onOpen={open} />
        </Suspense>
      )}
    </div>
  );
}
