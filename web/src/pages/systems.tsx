import { useState } from 'react';
import { api, ApiProblem, qs } from '../api.ts';
import { Link } from '../router.tsx';
import { useApi } from '../use-api.ts';
import type { Entry, JobView, SystemView } from '../types.ts';
import { fmtTime, label } from '../format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { Dialog } from '../components/dialog.tsx';

type Panel = { kind: 'pod' | 'approve'; job: JobView } | null;

/** The engine writes when it next tries a quarantined job into the reason (UTC, ISO 8601). */
const NEXT_TRY = /;?\s*next try at (\d{4}-\d\d-\d\dT[\d:.]+Z)/;

/** Why a job is in its state; for a quarantined job, the next probe in the viewer's time. */
function JobHealth({ job }: { job: JobView }) {
  const next = job.state === 'quarantined' ? NEXT_TRY.exec(job.stateReason ?? '') : null;
  const reason = next ? job.stateReason!.replace(NEXT_TRY, '') : job.stateReason;
  return (
    <div data-testid="job-health">
      <StatusBadge status={job.state} />
      {reason && <div className="muted small">{reason}</div>}
      {next && (
        <div className="small">
          Next probe: <time dateTime={next[1]}>{fmtTime(next[1])}</time>
        </div>
      )}
    </div>
  );
}

function ProvisionOnDemand({ job, onClose }: { job: JobView; onClose: () => void }) {
  const [objectId, setObjectId] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<{ entry?: Entry; error?: string }>();
  const go = async () => {
    setBusy(true);
    try {
      const entry = await api.post<Entry>(
        `/jobs/${encodeURIComponent(job.id)}/provision-on-demand`,
        { objectId, dryRun },
      );
      setOut({ entry });
    } catch (e) {
      setOut({ error: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Provision on demand — ${job.name}`}
      open
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button
            type="button"
            className="primary"
            disabled={!objectId || busy}
            onClick={() => void go()}
          >
            {busy ? 'Provisioning…' : dryRun ? 'Dry run' : 'Provision now'}
          </button>
        </>
      }
    >
      <label className="field">
        <span>Hub user (id or userName)</span>
        <input
          autoFocus
          value={objectId}
          onChange={(e) => setObjectId(e.target.value)}
          placeholder="ada@example.com"
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry
        run: show what would be sent, send nothing
      </label>
      {out?.error && (
        <p className="bad-text" role="alert">
          {out.error}
        </p>
      )}
      {out?.entry && (
        <div role="status">
          <p>
            <StatusBadge status={out.entry.status} /> {label(out.entry.action)}{' '}
            {out.entry.errorCode && <code>{out.entry.errorCode}</code>}{' '}
            <Link href={`/logs${qs({ window: '24h', entry: out.entry.changeId })}`}>
              Open the entry
            </Link>
          </p>
          <ol className="steps">
            {(out.entry.steps ?? []).map((s, i) => (
              <li key={i} className={s.status}>
                <div className="step-head">
                  <strong>{label(s.name)}</strong> <StatusBadge status={s.status} />
                </div>
                {s.description && <p>{s.description}</p>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </Dialog>
  );
}

function ApproveDeletions({ job, onClose }: { job: JobView; onClose: () => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<string>();
  const go = async () => {
    setBusy(true);
    try {
      const r = await api.post<{ approved: number; taskId: string | null }>(
        `/jobs/${encodeURIComponent(job.id)}/approve-deletions`,
        { approver: { id: name, displayName: name } },
      );
      setOut(
        r.approved
          ? `${r.approved} held changes approved and carried out.`
          : 'There were no held changes to approve.',
      );
    } catch (e) {
      setOut((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Approve staged deletions — ${job.name}`}
      open
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button
            type="button"
            className="primary danger"
            disabled={!name || busy || !!out}
            onClick={() => void go()}
          >
            Approve deletions
          </button>
        </>
      }
    >
      <p>
        Deletion protection held these changes. Review them in the{' '}
        <Link href={`/logs${qs({ window: '30d', jobId: job.id, action: 'staged_delete' })}`}>
          log
        </Link>{' '}
        first: approving carries out every one of them.
      </p>
      <label className="field">
        <span>Your name (recorded as approver)</span>
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      {out && <p role="status">{out}</p>}
    </Dialog>
  );
}

export function SystemsPage() {
  const systems = useApi<{ items: SystemView[] }>('/systems');
  const jobs = useApi<{ items: JobView[] }>('/jobs');
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string; taskId?: string }>();
  const byId = new Map((systems.data?.items ?? []).map((s) => [s.id, s]));

  const run = async (job: JobView) => {
    try {
      const r = await api.post<{ taskId: string }>(`/jobs/${encodeURIComponent(job.id)}/run`, {});
      setNotice({ ok: true, text: `${job.name} started.`, taskId: r.taskId });
      jobs.reload();
    } catch (e) {
      setNotice({ ok: false, text: e instanceof ApiProblem ? e.message : String(e) });
    }
  };

  const setState = async (job: JobView, to: 'pause' | 'resume') => {
    try {
      await api.post<JobView>(`/jobs/${encodeURIComponent(job.id)}/${to}`, {});
      setNotice({ ok: true, text: `${job.name} ${to === 'pause' ? 'paused' : 'resumed'}.` });
    } catch (e) {
      setNotice({ ok: false, text: e instanceof ApiProblem ? e.message : String(e) });
    }
    jobs.reload();
  };

  const err = systems.error ?? jobs.error;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Systems &amp; jobs</h1>
      </div>
      {notice && (
        <div className={`result ${notice.ok ? 'ok' : 'bad'}`} role="status">
          {notice.text}{' '}
          {notice.taskId && (
            <Link href={`/tasks/${encodeURIComponent(notice.taskId)}`}>Follow the task</Link>
          )}
        </div>
      )}
      {err && <ErrorBox error={err} retry={() => (systems.reload(), jobs.reload())} />}
      {(systems.loading || jobs.loading) && !systems.data && <Loading />}
      <section className="panel">
        <h2>Jobs</h2>
        {jobs.data?.items.length === 0 && (
          <Empty title="No jobs yet.">
            A job connects the hub and one system. Create one with <code>POST /api/v1/jobs</code>{' '}
            (see the README).
          </Empty>
        )}
        {jobs.data && jobs.data.items.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th>Job</th>
                <th>System</th>
                <th>Direction</th>
                <th>Schedule</th>
                <th>Health</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.map((j) => (
                <tr key={j.id} data-testid="job-row" data-state={j.state}>
                  <td>
                    <Link href={`/logs${qs({ jobId: j.id })}`}>{j.name}</Link>
                  </td>
                  <td>{byId.get(j.systemId)?.name ?? j.systemId}</td>
                  <td>{label(j.direction)}</td>
                  <td>{j.schedule ? <code>{j.schedule}</code> : 'on demand'}</td>
                  <td>
                    <JobHealth job={j} />
                  </td>
                  <td className="actions">
                    <button type="button" onClick={() => void run(j)}>
                      Run now
                    </button>
                    {j.state !== 'paused' && (
                      <button
                        type="button"
                        title="No scheduled runs until resumed"
                        onClick={() => void setState(j, 'pause')}
                      >
                        Pause
                      </button>
                    )}
                    {(j.state === 'paused' || j.state === 'quarantined') && (
                      <button
                        type="button"
                        title={
                          j.state === 'quarantined'
                            ? 'Lift the quarantine now instead of waiting for the next probe'
                            : 'Scheduled runs start again'
                        }
                        onClick={() => void setState(j, 'resume')}
                      >
                        Resume
                      </button>
                    )}
                    {j.direction === 'outbound' && (
                      <button type="button" onClick={() => setPanel({ kind: 'pod', job: j })}>
                        Provision on demand
                      </button>
                    )}
                    {j.deletionThreshold !== undefined && (
                      <button type="button" onClick={() => setPanel({ kind: 'approve', job: j })}>
                        Approve deletions
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel">
        <h2>Systems</h2>
        {systems.data?.items.length === 0 && (
          <Empty title="No systems connected.">
            Add a CSV file, an LDAP directory or a SCIM application with{' '}
            <code>POST /api/v1/systems</code>.
          </Empty>
        )}
        {systems.data && systems.data.items.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Trace level</th>
                <th>Secrets</th>
              </tr>
            </thead>
            <tbody>
              {systems.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link href={`/logs${qs({ application: s.name })}`}>{s.name}</Link>
                  </td>
                  <td>{s.type.toUpperCase()}</td>
                  <td>{label(s.traceLevel)}</td>
                  <td>
                    {s.secretNames.length ? s.secretNames.join(', ') + ' (set, never shown)' : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {panel?.kind === 'pod' && (
        <ProvisionOnDemand job={panel.job} onClose={() => setPanel(null)} />
      )}
      {panel?.kind === 'approve' && (
        <ApproveDeletions job={panel.job} onClose={() => setPanel(null)} />
      )}
    </div>
  );
}
