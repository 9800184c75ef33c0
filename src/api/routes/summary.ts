import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { lookupErrorCode } from '../../model/error-codes.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import type { Facets, LogStore } from '../../store/log-store.ts';
import { ProblemSchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
const n = Type.Integer({ minimum: 0 });
const Figures = {
  total: n,
  created: n,
  updated: n,
  deleted: n,
  disabled: n,
  skipped: n,
  failed: n,
};

export const SummarySchema = Type.Object({
  window: Type.String(),
  from: Type.String(),
  to: Type.String(),
  totals: Type.Object(Figures),
  days: Type.Array(
    Type.Object({ day: Type.String(), from: Type.String(), to: Type.String(), ...Figures }),
  ),
  applications: Type.Array(Type.Object({ name: Type.String(), total: n, failed: n })),
  topErrors: Type.Array(Type.Object({ code: Type.String(), title: Type.String(), count: n })),
});
export type Summary = typeof SummarySchema.static;
type FigureSet = { [K in keyof typeof Figures]: number };

/** Dashboard figures from two facet queries per day: both read the day and hour rollups. */
async function figures(store: LogStore, filter: EntryFilter): Promise<FigureSet> {
  const [all, ok] = await Promise.all([
    store.facets(filter),
    store.facets({ ...filter, status: ['success'] }),
  ]);
  const sum = (f: Facets, field: string) =>
    Object.values(f[field] ?? {}).reduce((a, b) => a + b, 0);
  const action = (a: string) => ok.action?.[a] ?? 0;
  return {
    total: sum(all, 'status'),
    created: action('create'),
    updated: action('update'),
    deleted: action('delete'),
    disabled: action('disable'),
    skipped: all.status?.skipped ?? 0,
    failed: all.status?.failure ?? 0,
  };
}

/** `GET /api/v1/summary?window=7d`: the dashboard's last days, by UTC day and by application. */
export async function buildSummary(store: LogStore, days: number, now: number): Promise<Summary> {
  const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const from = todayStart - (days - 1) * DAY_MS;
  const dayRows = [];
  for (let i = 0; i < days; i++) {
    const start = from + i * DAY_MS;
    const end = Math.min(start + DAY_MS - 1, now);
    dayRows.push({
      day: new Date(start).toISOString().slice(0, 10),
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      ...(await figures(store, { from: start, to: end })),
    });
  }
  const range = { from, to: now };
  const [all, failures] = await Promise.all([
    store.facets(range),
    store.facets({ ...range, status: ['failure'] }),
  ]);
  // An application is a system on either side; the hub itself is not one.
  const apps = new Map<string, { name: string; total: number; failed: number }>();
  for (const side of ['sourceSystem', 'targetSystem'] as const) {
    for (const [name, total] of Object.entries(all[side] ?? {})) {
      const app = apps.get(name) ?? { name, total: 0, failed: 0 };
      app.total += total;
      app.failed += failures[side]?.[name] ?? 0;
      apps.set(name, app);
    }
  }
  const totals = {
    total: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    disabled: 0,
    skipped: 0,
    failed: 0,
  };
  for (const d of dayRows)
    for (const k of Object.keys(totals) as (keyof FigureSet)[]) totals[k] += d[k];
  return {
    window: `${days}d`,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    totals,
    days: dayRows,
    applications: [...apps.values()].sort((a, b) => b.total - a.total),
    topErrors: Object.entries(failures.errorCode ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([code, count]) => ({ code, count, title: lookupErrorCode(code)?.title ?? code })),
  };
}

export const summaryRoutes: FastifyPluginAsync<{ store: LogStore; now?: () => number }> = async (
  app,
  { store, now = Date.now },
) => {
  app.get(
    '/summary',
    {
      schema: {
        summary: "The dashboard's figures: per UTC day and per application, top error codes",
        tags: ['entries'],
        querystring: Type.Object(
          {
            window: Type.Optional(
              Type.String({
                pattern: '^([1-9]|[12][0-9]|30)d$',
                description: '1d to 30d; default 7d',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: SummarySchema, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { window = '7d' } = request.query as { window?: string };
      return buildSummary(store, Number(window.slice(0, -1)), now());
    },
  );
};
