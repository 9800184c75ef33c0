import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api.ts';
import { useApi } from '../use-api.ts';
import type { Entry, EntryDetail, ErrorCodeInfo } from '../types.ts';
import { fmtTime, label } from '../format.ts';
import { errorCatalog } from '../error-catalog.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { ErrorBox, Loading } from '../components/states.tsx';
import { Tabs } from '../components/tabs.tsx';
import { Dialog } from '../components/dialog.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Link } from '../router.tsx';

type Tab = 'steps' | 'troubleshooting' | 'properties' | 'summary' | 'payloads';
const TABS = [
  { id: 'steps', label: 'Steps' },
  { id: 'troubleshooting', label: 'Troubleshooting & recommendations' },
  { id: 'properties', label: 'Modified properties' },
  { id: 'summary', label: 'Summary' },
  { id: 'payloads', label: 'Request & response' },
] as const;

function Steps({ e }: { e: EntryDetail }) {
  if (!e.steps?.length) return <p className="muted">No steps were recorded for this entry.</p>;
  return (
    <ol className="steps">
      {e.steps.map((s, i) => (
        <li key={i} className={s.status}>
          <div className="step-head">
            <strong>
              {i + 1}. {label(s.name)}
            </strong>
            <StatusBadge status={s.status} />
          </div>
          {s.description && <p>{s.description}</p>}
          {s.details && Object.keys(s.details).length > 0 && (
            <dl className="kv">
              {Object.entries(s.details).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
        </li>
      ))}
    </ol>
  );
}

function Troubleshooting({ e }: { e: EntryDetail }) {
  const [info, setInfo] = useState<ErrorCodeInfo | null>();
  useEffect(() => {
    if (!e.errorCode) return;
    errorCatalog()
      .then((c) => setInfo(c.get(e.errorCode!.toLowerCase()) ?? null))
      .catch(() => setInfo(null));
  }, [e.errorCode]);
  if (!e.errorCode && e.status !== 'failure')
    return (
      <p className="muted">
        {e.status === 'skipped'
          ? `Skipped: ${label(e.skipReason) || 'no reason recorded'}. ${e.reason ?? ''}`
          : 'Nothing went wrong: there is nothing to troubleshoot.'}
      </p>
    );
  return (
    <dl className="kv wide">
      <div>
        <dt>Error code</dt>
        <dd>
          <code>{e.errorCode ?? '—'}</code> {info?.title && <span>— {info.title}</span>}
        </dd>
      </div>
      <div>
        <dt>Reason</dt>
        <dd>{e.reason ?? '—'}</dd>
      </div>
      {info && (
        <>
          <div>
            <dt>What it means</dt>
            <dd>{info.description}</dd>
          </div>
          <div>
            <dt>Recommendation</dt>
            <dd className="recommendation">{info.recommendation}</dd>
          </div>
        </>
      )}
      <div>
        <dt>Retried automatically</dt>
        <dd>
          {(info?.transient ?? e.errorCategory === 'transient')
            ? 'Yes (transient error)'
            : 'No (permanent error)'}
          {e.attempt !== undefined && ` · attempt ${e.attempt}`}
          {e.retryAt && ` · next attempt ${fmtTime(e.retryAt)}`}
        </dd>
      </div>
    </dl>
  );
}

function Properties({ e }: { e: EntryDetail }) {
  if (!e.modifiedProperties?.length) return <p className="muted">No properties were changed.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Property</th>
          <th>Old value</th>
          <th>New value</th>
        </tr>
      </thead>
      <tbody>
        {e.modifiedProperties.map((p) => (
          <tr key={p.name}>
            <td>{p.name}</td>
            <td className="old">{p.oldValue ?? ''}</td>
            <td className="new">{p.newValue ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Summary({ e }: { e: EntryDetail }) {
  const rows: [string, ReactNode][] = [
    ['Change ID', <code>{e.changeId}</code>],
    ['Operation', <code>{e.operationId}</code>],
    ['Action', `${label(e.action)} ${e.objectType}`],
    ['Direction', label(e.direction)],
    ['Source system', e.sourceSystem ? `${e.sourceSystem.name} (${e.sourceSystem.id})` : '—'],
    [
      'Source identity',
      e.sourceIdentity
        ? `${e.sourceIdentity.displayName ?? ''} · id ${e.sourceIdentity.id ?? '—'}`
        : '—',
    ],
    ['Target system', e.targetSystem ? `${e.targetSystem.name} (${e.targetSystem.id})` : '—'],
    [
      'Target identity',
      e.targetIdentity
        ? `${e.targetIdentity.displayName ?? ''} · id ${e.targetIdentity.id ?? '—'}`
        : '—',
    ],
    ['Trigger', `${label(e.source)}${e.triggerMethod ? ` · ${e.triggerMethod}` : ''}`],
    ['Job / cycle', `${e.jobId ?? '—'} / ${e.cycleId ?? '—'}`],
    [
      'Task',
      e.taskId ? (
        <Link href={`/tasks/${encodeURIComponent(e.taskId)}`}>{e.taskId}</Link>
      ) : (
        'none (single change)'
      ),
    ],
    ['Duration', e.durationMs === undefined ? '—' : `${e.durationMs} ms`],
  ];
  if (e.actor) rows.push(['Actor', `${e.actor.displayName ?? e.actor.id} (${e.actor.type})`]);
  if (e.permissionChanges)
    rows.push([
      'Permissions',
      `bound: ${e.permissionChanges.bound.join(', ') || '—'} · unbound: ${e.permissionChanges.unbound.join(', ') || '—'}`,
    ]);
  return (
    <dl className="kv wide">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Payloads({ e }: { e: EntryDetail }) {
  return (
    <div className="payloads">
      <h3>
        Request {e.request?.method && <code>{e.request.method}</code>}{' '}
        {e.request?.url && <code>{e.request.url}</code>}
      </h3>
      <JsonView value={e.request?.body ?? (e.request ? e.request : undefined)} />
      <h3>Response {e.response?.status !== undefined && <code>HTTP {e.response.status}</code>}</h3>
      <JsonView value={e.response?.body ?? (e.response ? e.response : undefined)} />
    </div>
  );
}

type Action = 'retry' | 'confirm';
const ACTION_TEXT: Record<Action, { title: string; body: string; button: string }> = {
  retry: {
    title: 'Retry this change now?',
    body: 'provlog makes a new attempt of the same operation. It matches the object in the target first, so a retry never creates a duplicate. Correct the data first if the failure was caused by it.',
    button: 'Retry now',
  },
  confirm: {
    title: 'Confirm it was done by hand?',
    body: 'The failure will count as resolved, as if provlog had made the change; anything waiting on it proceeds (a confirmed deletion also removes the account from the hub). Only confirm what was really done in the target.',
    button: 'Confirm',
  },
};

export function EntryPane(props: {
  changeId: string;
  onClose: () => void;
  onOpen: (id: string) => void;
}) {
  const {
    data: e,
    error,
    loading,
    reload,
  } = useApi<EntryDetail>(`/entries/${encodeURIComponent(props.changeId)}`);
  const [tab, setTab] = useState<Tab>('steps');
  const [action, setAction] = useState<Action | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string; entry?: Entry } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setResult(null);
    setTab('steps');
  }, [props.changeId]);
  useEffect(() => {
    if (e?.status === 'failure') setTab('troubleshooting');
  }, [e?.changeId]);
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => ev.key === 'Escape' && !action && props.onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const run = async (a: Action) => {
    setBusy(true);
    try {
      const out = await api.post<Entry>(`/entries/${encodeURIComponent(props.changeId)}/${a}`, {});
      setResult({
        ok: out.status === 'success',
        text: `${a === 'retry' ? 'Retry' : 'Confirmation'} recorded: ${label(out.status)}${out.errorCode ? ` (${out.errorCode})` : ''}.`,
        entry: out,
      });
      reload();
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
      setAction(null);
    }
  };

  const canAct = e && e.status === 'failure' && !e.resolvedBy;
  const who =
    e &&
    (e.sourceIdentity?.displayName ??
      e.targetIdentity?.displayName ??
      e.sourceIdentity?.id ??
      e.changeId);
  return (
    <aside className="pane" aria-label="Entry details">
      <div className="pane-head">
        <div>
          <h2>{who ?? 'Entry'}</h2>
          {e && (
            <div className="pane-sub">
              <StatusBadge status={e.status} state={e.state} /> {label(e.action)} {e.objectType} in{' '}
              {e.targetSystem?.name ?? e.sourceSystem?.name ?? '—'} · {fmtTime(e.time)}
            </div>
          )}
        </div>
        <button type="button" className="close" onClick={props.onClose} aria-label="Close details">
          ×
        </button>
      </div>
      {loading && !e && <Loading />}
      {error && <ErrorBox error={error} retry={reload} />}
      {e && (
        <>
          {(canAct || result) && (
            <div className="pane-actions">
              {canAct && (
                <>
                  <button type="button" className="primary" onClick={() => setAction('retry')}>
                    Retry
                  </button>
                  <button type="button" onClick={() => setAction('confirm')}>
                    Confirm done by hand
                  </button>
                </>
              )}
              {result && (
                <div className={`result ${result.ok ? 'ok' : 'bad'}`} role="status">
                  {result.text}{' '}
                  {result.entry && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => props.onOpen(result.entry!.changeId)}
                    >
                      Open the new entry
                    </button>
                  )}
                </div>
              )}
            </div>
          )}
          {e.resolvedBy && (
            <div className="result ok">
              Resolved by{' '}
              <button type="button" className="link" onClick={() => props.onOpen(e.resolvedBy!)}>
                a later entry
              </button>
              .
            </div>
          )}
          <Tabs tabs={TABS} active={tab} onChange={setTab} />
          <div className="tab-body" role="tabpanel">
            {tab === 'steps' && <Steps e={e} />}
            {tab === 'troubleshooting' && <Troubleshooting e={e} />}
            {tab === 'properties' && <Properties e={e} />}
            {tab === 'summary' && <Summary e={e} />}
            {tab === 'payloads' && <Payloads e={e} />}
          </div>
          {e.relatedAttempts.length > 1 && (
            <section className="related">
              <h3>Attempts of this operation</h3>
              <ol>
                {e.relatedAttempts.map((r) => (
                  <li key={r.changeId} aria-current={r.changeId === e.changeId}>
                    <button type="button" className="link" onClick={() => props.onOpen(r.changeId)}>
                      {fmtTime(r.time)}
                    </button>{' '}
                    {label(r.action)} <StatusBadge status={r.status} />
                    {r.attempt !== undefined && ` attempt ${r.attempt}`}{' '}
                    {r.errorCode && <code>{r.errorCode}</code>}
                  </li>
                ))}
              </ol>
            </section>
          )}
        </>
      )}
      <Dialog
        title={action ? ACTION_TEXT[action].title : ''}
        open={action !== null}
        onClose={() => setAction(null)}
        actions={
          <>
            <button type="button" onClick={() => setAction(null)} disabled={busy}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => action && void run(action)}
            >
              {busy ? 'Working…' : action ? ACTION_TEXT[action].button : ''}
            </button>
          </>
        }
      >
        <p>{action && ACTION_TEXT[action].body}</p>
      </Dialog>
    </aside>
  );
}
