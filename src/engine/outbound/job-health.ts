import type { Job } from '../../model/job.ts';

export const DEFAULT_HEALTH = { failureShare: 0.5, minFailures: 10 };
/** First wait after quarantine; each failed probe doubles it, up to a day. */
const BASE_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 24 * 3600_000;

export type HealthVerdict = { healthy: true } | { healthy: false; reason: string };

/** Whether a run's failures pass the job's threshold: both the share and the count. */
export function judgeRun(job: Job, processed: number, failed: number): HealthVerdict {
  const { failureShare, minFailures } = { ...DEFAULT_HEALTH, ...job.health };
  if (processed === 0 || failed < minFailures || failed / processed < failureShare)
    return { healthy: true };
  const pct = Math.round((100 * failed) / processed);
  return {
    healthy: false,
    reason: `${failed} of ${processed} objects (${pct}%) failed, past the threshold of ${Math.round(failureShare * 100)}% and at least ${minFailures}`,
  };
}

/** The widening schedule: how long a job waits at quarantine level `level` (1, 2, …). */
export function quarantineWait(level: number): number {
  return Math.min(MAX_WAIT_MS, BASE_WAIT_MS * 2 ** Math.max(0, level - 1));
}
