import { sql, type Kysely, type SqlBool } from 'kysely';
import { ofOperation } from '../entry-where.ts';
import type { SqlRunner } from '../sql-runner.ts';
import type { EntriesTable } from '../db-types.ts';
import type { OutboundDatabase } from './outbound-schema.ts';

type Db = OutboundDatabase & {
  entries: EntriesTable;
  hub_changes: { seq: number };
};

/** Where an outbound job stands: change-feed watermark and quarantine. */
export interface OutboundJobState {
  jobId: string;
  /** The last hub change (seq) this job has pushed or deliberately passed over. */
  watermark: number;
  /** Whether a full cycle has completed once (later runs are incremental). */
  fullDone: boolean;
  /** 0 when healthy; each failed probe while quarantined widens the next wait. */
  quarantineLevel: number;
  quarantineUntil: number | null;
  quarantineReason: string | null;
}

/** A failed entry whose next automatic attempt is due. */
export interface DueRetry {
  changeId: string;
  jobId: string;
  retryAt: number;
}

/**
 * The engine's own bookkeeping for outbound jobs, beside the hub. Written once over `SqlRunner`
 * (better-sqlite3 or `pg`), like the directory and config stores. Due retries are read from the
 * log, which the embedded store keeps in a file of its own (`log`).
 */
export class OutboundStore {
  constructor(
    private readonly runner: SqlRunner,
    private readonly qb: Kysely<Db>,
    private readonly log: SqlRunner = runner,
    private readonly now: () => number = Date.now,
  ) {}

  async state(jobId: string): Promise<OutboundJobState> {
    const [row] = await this.runner.all<OutboundDatabase['outbound_jobs']>(
      this.qb.selectFrom('outbound_jobs').selectAll().where('job_id', '=', jobId),
    );
    return row
      ? stateOf(row)
      : {
          jobId,
          watermark: 0,
          fullDone: false,
          quarantineLevel: 0,
          quarantineUntil: null,
          quarantineReason: null,
        };
  }

  /** Moves the watermark forward only: an older value never rewinds it. */
  async advance(jobId: string, watermark: number, fullDone?: boolean): Promise<void> {
    const now = this.now();
    await this.runner.all(
      this.qb
        .insertInto('outbound_jobs')
        .values({
          job_id: jobId,
          watermark,
          full_done: fullDone ? 1 : 0,
          quarantine_level: 0,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('job_id').doUpdateSet({
            watermark: sql<number>`CASE WHEN outbound_jobs.watermark > ${watermark} THEN outbound_jobs.watermark ELSE ${watermark} END`,
            ...(fullDone ? { full_done: 1 } : {}),
            updated_at: now,
          }),
        ),
    );
  }

  /** Sets (level > 0) or clears (level 0) a job's quarantine. */
  async setQuarantine(
    jobId: string,
    q: { level: number; until: number | null; reason: string | null },
  ): Promise<void> {
    const now = this.now();
    const values = {
      quarantine_level: q.level,
      quarantine_until: q.until,
      quarantine_reason: q.reason,
      updated_at: now,
    };
    await this.runner.all(
      this.qb
        .insertInto('outbound_jobs')
        .values({ job_id: jobId, watermark: 0, full_done: 0, ...values })
        .onConflict((oc) => oc.column('job_id').doUpdateSet(values)),
    );
  }

  /** Quarantined jobs whose next probe is due. */
  async quarantineDue(now: number): Promise<OutboundJobState[]> {
    const rows = await this.runner.all<OutboundDatabase['outbound_jobs']>(
      this.qb
        .selectFrom('outbound_jobs')
        .selectAll()
        .where('quarantine_until', 'is not', null)
        .where('quarantine_until', '<=', now),
    );
    return rows.map(stateOf);
  }

  async forget(jobId: string): Promise<void> {
    await this.runner.all(this.qb.deleteFrom('outbound_jobs').where('job_id', '=', jobId));
  }

  /** The newest hub change: where a full cycle leaves the watermark. */
  async latestChange(): Promise<number> {
    const [row] = await this.runner.all<{ seq: number | null }>(
      this.qb.selectFrom('hub_changes').select((eb) => eb.fn.max('seq').as('seq')),
    );
    return Number(row?.seq ?? 0);
  }

  /**
   * Failures whose next attempt is due: unresolved, and the latest attempt of their operation
   * (an earlier attempt's `retry_at` was used up by the attempt after it).
   */
  async dueRetries(now: number, limit: number): Promise<DueRetry[]> {
    const rows = await this.log.all<{ change_id: string; job_id: string; retry_at: number }>(
      this.qb
        .selectFrom('entries as e')
        .select(['e.change_id', 'e.job_id', 'e.retry_at'])
        .where('e.retry_at', 'is not', null)
        .where('e.resolved_by', 'is', null)
        .where('e.retry_at', '<=', now)
        .where('e.job_id', 'is not', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('entries as l')
                .select('l.seq')
                // A later attempt names its operation; the first may not (migration 9 of SQLite).
                .where(sql<SqlBool>`l.operation_id = coalesce(e.operation_id, e.change_id)`)
                .whereRef('l.seq', '>', 'e.seq'),
            ),
          ),
        )
        .orderBy('e.retry_at')
        .limit(limit),
    );
    return rows.map((r) => ({
      changeId: r.change_id,
      jobId: r.job_id,
      retryAt: Number(r.retry_at),
    }));
  }

  /** The change id of the latest attempt of an operation. */
  async latestAttempt(operationId: string): Promise<string | undefined> {
    const [row] = await this.log.all<{ change_id: string }>(
      this.qb
        .selectFrom('entries')
        .select('change_id')
        .where(() => ofOperation([operationId]))
        .orderBy('seq', 'desc')
        .limit(1),
    );
    return row?.change_id;
  }
}

function stateOf(r: OutboundDatabase['outbound_jobs']): OutboundJobState {
  return {
    jobId: r.job_id,
    watermark: Number(r.watermark),
    fullDone: Number(r.full_done) === 1,
    quarantineLevel: Number(r.quarantine_level),
    quarantineUntil: r.quarantine_until === null ? null : Number(r.quarantine_until),
    quarantineReason: r.quarantine_reason,
  };
}
