import { qs } from '../api.ts';
import { Link } from '../router.tsx';
import { useApi } from '../use-api.ts';
import type { Figures, Summary } from '../types.ts';
import { fmtDay, timeZone } from '../format.ts';
import { RankBars, StackedBars, type Series } from '../components/bar-chart.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';

const SERIES: (Series & { key: keyof Figures; filter: Record<string, string> })[] = [
  {
    key: 'created',
    label: 'Created',
    color: '#2e7d32',
    filter: { action: 'create', status: 'success' },
  },
  {
    key: 'updated',
    label: 'Updated',
    color: '#1565c0',
    filter: { action: 'update', status: 'success' },
  },
  {
    key: 'deleted',
    label: 'Deleted',
    color: '#6a1b9a',
    filter: { action: 'delete', status: 'success' },
  },
  {
    key: 'disabled',
    label: 'Disabled',
    color: '#8d6e63',
    filter: { action: 'disable', status: 'success' },
  },
  { key: 'skipped', label: 'Skipped', color: '#b0bec5', filter: { status: 'skipped' } },
  { key: 'failed', label: 'Failed', color: '#c62828', filter: { status: 'failure' } },
];
const log = (p: Record<string, string>) => `/logs${qs(p)}`;

export function DashboardPage() {
  // Days are the viewer's own: the server buckets them by local midnight in this zone.
  const { data, error, loading, reload } = useApi<Summary>(
    `/summary${qs({ window: '7d', tz: timeZone })}`,
  );
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (loading && !data) return <Loading what="Loading the last 7 days…" />;
  if (!data) return null;
  const range = { from: data.from, to: data.to };
  const filterOf = (key: string) => SERIES.find((s) => s.key === key)?.filter ?? {};
  return (
    <div className="page">
      <div className="page-head">
        <h1>Last 7 days</h1>
        <div className="head-actions">
          <Link className="button primary" href={log({ window: '24h', status: 'failure' })}>
            Failures of the last 24 hours
          </Link>
        </div>
      </div>
      {data.totals.total === 0 ? (
        <Empty title="Nothing was provisioned in the last 7 days.">
          Connect a system and run a job on the <Link href="/systems">Systems &amp; jobs</Link>{' '}
          page, or post events to <code>/api/v1/ingest</code>.
        </Empty>
      ) : (
        <>
          <div className="cards" data-testid="totals">
            {SERIES.map((s) => (
              <Link key={s.key} className={`card ${s.key}`} href={log({ ...range, ...s.filter })}>
                <span className="card-label">{s.label}</span>
                <span className="card-value">{data.totals[s.key].toLocaleString()}</span>
              </Link>
            ))}
          </div>
          <section className="panel">
            <h2>
              By day <span className="muted small">(days in {data.timeZone})</span>
            </h2>
            <StackedBars
              series={SERIES}
              bars={data.days.map((d) => ({
                label: fmtDay(d.from),
                values: d as unknown as Record<string, number>,
                href: (k) => log({ from: d.from, to: d.to, ...filterOf(k) }),
              }))}
            />
          </section>
          <div className="two-col">
            <section className="panel">
              <h2>By application</h2>
              <RankBars
                rows={data.applications.slice(0, 10).map((a) => ({
                  label: a.name,
                  value: a.total,
                  extra: a.failed ? `· ${a.failed.toLocaleString()} failed` : '',
                  href: log({ ...range, application: a.name }),
                }))}
              />
            </section>
            <section className="panel">
              <h2>Top error codes</h2>
              {data.topErrors.length === 0 ? (
                <p className="muted">No failures in the last 7 days.</p>
              ) : (
                <RankBars
                  rows={data.topErrors.map((e) => ({
                    label: e.code,
                    value: e.count,
                    extra: e.title !== e.code ? `· ${e.title}` : '',
                    href: log({ ...range, status: 'failure', errorCode: e.code }),
                  }))}
                />
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
