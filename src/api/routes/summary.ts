import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { lookupErrorCode } from '../../model/error-codes.ts';
import type { EntryFilter } from '../../query/entry-filter.ts';
import { localDays, parseTimeZone, type TimeZone } from '../../query/time-zone.ts';
import type { Facets, LogStore } from '../../store/log-store.ts';
import { ApiError } from '../api-errors.ts';
import { ProblemSchema } from '../schemas.ts';

const UTC = parseTimeZone('+00:00')!;
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
  timeZone: Type.String({ description: 'The zone whose days `days` are: an IANA name or +HH:MM' }),
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

/**
 * `GET /api/v1/summary?window=7d&tz=…`: the dashboard's last days (local days of `zone`, UTC by
 * default), by application and by error code. A local day whose midnight falls on a whole hour
 * is read from 24 hourly rollup buckets; only other offsets (+05:30) touch entries at the edges.
 */
export async function buildSummary(
  store: LogStore,
  days: number,
  now: number,
  zone: TimeZone = UTC,
): Promise<Summary> {
  const dayRows = [];
  for (const d of localDays(zone, days, now)) {
    dayRows.push({
      day: d.day,
      from: new Date(d.from).toISOString(),
      to: new Date(d.to).toISOString(),
      ...(await figures(store, { from: d.from, to: d.to })),
    });
  }
  const from = Date.parse(dayRows[0]!.from);
  const range = { from, to: now };
  // An application is what the `application` filter means: the target of outbound work and the
  // source of inbound work. The hub (the other side of both) is not one.
  const [outAll, outFailed, inAll, inFailed] = await Promise.all([
    store.facets({ ...range, direction: ['outbound'] }),
    store.facets({ ...range, direction: ['outbound'], status: ['failure'] }),
    store.facets({ ...range, direction: ['inbound'] }),
    store.facets({ ...range, direction: ['inbound'], status: ['failure'] }),
  ]);
  const apps = new Map<string, { name: string; total: number; failed: number }>();
  for (const [all, failed, side] of [
    [outAll, outFailed, 'targetSystem'],
    [inAll, inFailed, 'sourceSystem'],
  ] as const) {
    for (const [name, total] of Object.entries(all[side] ?? {})) {
      const app = apps.get(name) ?? { name, total: 0, failed: 0 };
      app.total += total;
      app.failed += failed[side]?.[name] ?? 0;
      apps.set(name, app);
    }
  }
  const errorCodes: Record<string, number> = {};
  for (const f of [outFailed, inFailed])
    for (const [code, count] of Object.entries(f.errorCode ?? {}))
      errorCodes[code] = (errorCodes[code] ?? 0) + count;
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
    timeZone: zone.name,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    totals,
    days: dayRows,
    applications: [...apps.values()].sort((a, b) => b.total - a.total),
    topErrors: Object.entries(errorCodes)
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
        summary:
          "The dashboard's figures: per day (in `tz`, default UTC) and per application, top error codes",
        tags: ['entries'],
        querystring: Type.Object(
          {
            window: Type.Optional(
              Type.String({
                pattern: '^([1-9]|[12][0-9]|30)d$',
                description: '1d to 30d; default 7d',
              }),
            ),
            tz: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description:
                  'Count days in this time zone: an IANA name (Europe/Paris) or an offset (+05:30); default UTC',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: SummarySchema, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { window = '7d', tz } = request.query as { window?: string; tz?: string };
      const zone = tz === undefined ? UTC : parseTimeZone(tz);
      if (!zone) {
        throw new ApiError('invalid_query', `Unknown time zone ${JSON.stringify(tz)}`, [
          { field: 'tz', message: 'must be an IANA time zone name or an offset like +05:30' },
        ]);
      }
      return buildSummary(store, Number(window.slice(0, -1)), now(), zone);
    },
  );
};
