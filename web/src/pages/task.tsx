import { useEffect, useState } from 'react';
import { qs } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { useApi } from '../use-api.ts';
import type { Entry, Page, Task } from '../types.ts';
import { fmtDuration, fmtTime, label } from '../format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { RetriggerButton } from '../components/retrigger-button.tsx';

const COUNTS = [
  'processed',
  'created',
  'updated',
  'deleted',
  'disabled',
  'skipped',
  'failed',
  'resolved',
  'pending',
] as const;

export function TaskPage({ id }: { id: string }) {
  const [refresh, setRefresh] = useState(false);
  const opts = refresh ? { refreshMs: 5000 } : {};
  const task = useApi<Task>(`/tasks/${encodeURIComponent(id)}`, opts);
  const entries = useApi<Page<Entry>>(`/entries${qs({ taskId: id, limit: '200' })}`, opts);
  const t = task.data;
  useEffect(() => setRefresh(t?.status === 'running'), [t?.status]);
  const logLink = (extra: Record<string, string> = {}) =>
    `/logs${qs({ taskId: id, window: '30d', ...extra })}`;

  if (task.error) return <ErrorBox error={task.error} retry={task.reload} />;
  if (!t) return <Loading what="Loading the task…" />;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link href="/tasks">Tasks</Link> /
          </div>
          <h1>
            {t.triggerModuleName} <StatusBadge status={t.status} />
          </h1>
          <p className="muted">
            {label(t.direction)} · {label(t.triggerMethod)} · {label(t.source)} · started{' '}
            {fmtTime(t.startedAt)} · {fmtDuration(t.startedAt, t.endedAt)}
            {t.event && ` · ${t.event}`}
          </p>
          <p>{t.statusDescription}</p>
          {t.parentTaskId && (
            <p>
              Re-trigger of{' '}
              <Link href={`/tasks/${encodeURIComponent(t.parentTaskId)}`}>an earlier task</Link>.
            </p>
          )}
        </div>
        <div className="head-actions">
          {t.status !== 'running' && <RetriggerButton task={t} />}
          <Link className="button" href={logLink()}>
            Open in the log
          </Link>
        </div>
      </div>
      <div className="cards" data-testid="task-counts">
        {COUNTS.map((k) => (
          <Link key={k} className={`card ${k}`} href={logLink(countFilter(k))}>
            <span className="card-label">{label(k)}</span>
            <span className="card-value">{t.counts[k].toLocaleString()}</span>
          </Link>
        ))}
      </div>
      <h2>Entries</h2>
      {entries.error && <ErrorBox error={entries.error} retry={entries.reload} />}
      {!entries.data && !entries.error && <Loading />}
      {entries.data?.items.length === 0 && <Empty title="This task has no entries yet." />}
      {entries.data && entries.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Date</th>
                <th>Identity</th>
                <th>Action</th>
                <th>Status</th>
                <th>Error code</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.items.map((e) => (
                <tr
                  key={e.changeId}
                  className="clickable"
                  onClick={() => navigate(logLink({ entry: e.changeId }))}
                >
                  <td className="nowrap">
                    <Link href={logLink({ entry: e.changeId })}>{fmtTime(e.time)}</Link>
                  </td>
                  <td>
                    {e.sourceIdentity?.displayName ??
                      e.targetIdentity?.displayName ??
                      e.sourceIdentity?.id}
                  </td>
                  <td>{label(e.action)}</td>
                  <td>
                    <StatusBadge status={e.status} state={e.state} />
                  </td>
                  <td>{e.errorCode}</td>
                  <td>{e.reason ?? (e.skipReason ? label(e.skipReason) : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.data.nextCursor && (
            <p>
              <Link href={logLink()}>See every entry of this task in the log →</Link>
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function countFilter(k: (typeof COUNTS)[number]): Record<string, string> {
  switch (k) {
    case 'created':
      return { action: 'create', status: 'success' };
    case 'updated':
      return { action: 'update', status: 'success' };
    case 'deleted':
      return { action: 'delete', status: 'success' };
    case 'disabled':
      return { action: 'disable', status: 'success' };
    case 'skipped':
      return { status: 'skipped' };
    case 'failed':
      return { status: 'failure' };
    case 'pending':
      return { status: 'pending' };
    default:
      return {};
  }
}
