/**
 * Outbound job state, for both dialects: each job's watermark in the hub change feed and its
 * quarantine (level, when it is next tried, why). Pending retries are not here: they are the
 * failed entries' `retry_at` (index `entries_retry`), so they survive a restart with the log.
 */
export function outboundSchema(): string {
  return `
CREATE TABLE outbound_jobs (
  job_id TEXT PRIMARY KEY,
  watermark BIGINT NOT NULL DEFAULT 0,
  full_done INTEGER NOT NULL DEFAULT 0,
  quarantine_level INTEGER NOT NULL DEFAULT 0,
  quarantine_until BIGINT,
  quarantine_reason TEXT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX outbound_jobs_quarantine ON outbound_jobs (quarantine_until) WHERE quarantine_until IS NOT NULL;
`;
}

/** Kysely shape of the outbound tables. */
export interface OutboundDatabase {
  outbound_jobs: {
    job_id: string;
    watermark: number;
    full_done: number;
    quarantine_level: number;
    quarantine_until: number | null;
    quarantine_reason: string | null;
    updated_at: number;
  };
}
