import type { RetryPolicy } from '../../model/job.ts';

/** Used when a job sets none: five attempts over about an hour. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 60_000,
  maxDelayMs: 3600_000,
  multiplier: 3,
  jitter: 0.2,
};

/**
 * The wait before attempt `attempt + 1`, after attempt `attempt` failed transiently; `undefined`
 * when the attempts are used up (exhaustion is a status, not a throw). Backoff grows by
 * `multiplier` from `initialDelayMs`, capped at `maxDelayMs`, and `jitter` spreads it by up to
 * ±share so many objects failed together do not return together. A target's Retry-After is
 * honoured when longer than the backoff, within `maxDelayMs`.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attempt: number,
  hint: { retryAfterMs?: number } = {},
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1),
  );
  const spread = backoff * policy.jitter * (random() * 2 - 1);
  const jittered = Math.max(0, Math.round(backoff + spread));
  const asked = hint.retryAfterMs;
  if (asked === undefined || asked <= jittered) return Math.min(policy.maxDelayMs, jittered);
  return Math.min(policy.maxDelayMs, Math.ceil(asked));
}
