import { useEffect, useState } from 'react';
import { qs } from '../api.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useApi } from '../use-api.ts';
import type { Page, Task } from '../types.ts';
import { fmtTime, label } from '../format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { RetriggerButton } from '../components/retrigger-button.tsx';

const STATUSES = ['running', 'succeeded', 'partially_succeeded', 'failed', 'initial'];
const REFRESH_MS = 5000;

export function TasksPage() {
  const { search } = useLocation();
  const params = {
    window: search.get('window') ?? '7d',
    direction: search.get('direction') ?? '',
    status: search.get('status') ?? '',
  };
  const set = (name: string, value: string) =>
    navigate(`/tasks${qs({ ...params, [name]: value })}`);
  const path = `/tasks${qs({ ...params, window: params.window === 'all' ? '' : params.window, limit: '100' })}`;
  // While a task on screen is running, the list asks again every 5 seconds.
  const [refresh, setRefresh] = useState(false);
  const {
    data: page,
    error,
    loading,
    reload,
  } = useApi<Page<Task>>(path, refresh ? { refreshMs: REFRESH_MS } : {});
  const running = page?.items.some((t) => t.status === 'running') ?? false;
  useEffect(() => setRefresh(running), [running]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Tasks</h1>
        <div className="head-actions">
          {running && (
            <span className="badge info" role="status">
              Refreshing every 5 s while a task runs
            </span>
          )}
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </div>
      <div className="filters" role="search" aria-label="Filter tasks">
        <label className="filter">
          <span>Date</span>
          <select
            name="window"
            value={params.window}
            onChange={(e) => set('window', e.target.value)}
          >
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="all">All time</option>
          </select>
        </label>
        <label className="filter">
          <span>Direction</span>
          <select
            name="direction"
            value={params.direction}
            onChange={(e) => set('direction', e.target.value)}
          >
            <option value="">All</option>
            <option value="inbound">Inbound</option>
            <option value="outbound">Outbound</option>
          </select>
        </label>
        <label className="filter">
          <span>Status</span>
          <select
            name="status"
            value={params.status}
            onChange={(e) => set('status', e.target.value)}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <ErrorBox error={error} retry={reload} />}
      {loading && !page && <Loading what="Loading tasks…" />}
      {page && page.items.length === 0 && (
        <Empty title="No tasks in this range.">
          Tasks appear when a job runs or an engine posts them.
        </Empty>
      )}
      {page && page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="tasks-table">
            <thead>
              <tr>
                <th>Direction</th>
                <th>Trigger module</th>
                <th>Trigger module name</th>
                <th>Start time</th>
                <th>End time</th>
                <th>Trigger method</th>
                <th>Status</th>
                <th>Status description</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((t) => (
                <tr key={t.id} data-testid="task-row" data-status={t.status}>
                  <td>{label(t.direction)}</td>
                  <td>{label(t.triggerModule)}</td>
                  <td>{t.triggerModuleName}</td>
                  <td className="nowrap">{fmtTime(t.startedAt)}</td>
                  <td className="nowrap">{t.endedAt ? fmtTime(t.endedAt) : '—'}</td>
                  <td>{label(t.triggerMethod)}</td>
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td>{t.statusDescription}</td>
                  <td className="actions">
                    <Link href={`/tasks/${encodeURIComponent(t.id)}`}>View details</Link>
                    {t.status !== 'running' && <RetriggerButton task={t} onDone={reload} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
