import { describe, expect, it } from 'vitest';
import { nextRetryDelay } from './retry-policy.ts';

const policy = {
  maxAttempts: 4,
  initialDelayMs: 1000,
  maxDelayMs: 10_000,
  multiplier: 3,
  jitter: 0,
};

describe('nextRetryDelay', () => {
  it('backs off by the multiplier, capped, and stops after the last attempt', () => {
    expect([1, 2, 3].map((a) => nextRetryDelay(policy, a))).toEqual([1000, 3000, 9000]);
    expect(nextRetryDelay({ ...policy, maxAttempts: 10 }, 4)).toBe(10_000);
    expect(nextRetryDelay(policy, 4)).toBeUndefined();
    expect(nextRetryDelay({ ...policy, maxAttempts: 1 }, 1)).toBeUndefined();
  });

  it('honours a longer Retry-After within the cap, never a shorter one', () => {
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 5000 })).toBe(5000);
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 60_000 })).toBe(10_000);
    expect(nextRetryDelay(policy, 2, { retryAfterMs: 10 })).toBe(3000);
  });

  it('spreads by the jitter share at most', () => {
    const jittery = { ...policy, jitter: 0.5 };
    expect(nextRetryDelay(jittery, 1, {}, () => 0)).toBe(500);
    expect(nextRetryDelay(jittery, 1, {}, () => 0.999_999)).toBe(1500);
  });
});
