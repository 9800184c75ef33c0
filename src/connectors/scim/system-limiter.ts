/** How hard provlog may press one target system. */
export interface LimiterOptions {
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Requests started per second, on average. */
  ratePerSecond: number;
  /** Requests that may start back to back after a quiet spell. */
  burst: number;
}

/**
 * Bounded concurrency plus a token bucket, per system. A target that throttles (429 or 503
 * with Retry-After) can hold every request of the system for a while: the next ones would
 * only be throttled too.
 */
export interface SystemLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** No request starts before `until` (epoch ms); a later hold wins over an earlier one. */
  holdUntil(until: number): void;
}

export function createSystemLimiter(options: LimiterOptions): SystemLimiter {
  const { maxConcurrency, ratePerSecond, burst } = options;
  let active = 0;
  const waiting: (() => void)[] = [];
  let tokens = burst;
  let refilledAt = Date.now();
  let heldUntil = 0;
  // Token grants are serialised so that waiters take tokens in arrival order.
  let gate: Promise<void> = Promise.resolve();

  function refill(now: number): void {
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * ratePerSecond);
    refilledAt = now;
  }

  async function takeToken(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (heldUntil > now) {
        await sleep(heldUntil - now);
        continue;
      }
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - tokens) / ratePerSecond) * 1000));
    }
  }

  async function acquireSlot(): Promise<void> {
    if (active < maxConcurrency) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function releaseSlot(): void {
    const next = waiting.shift();
    // The slot passes straight to the next waiter; `active` stays the same.
    if (next) next();
    else active -= 1;
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquireSlot();
      try {
        const turn = gate.then(takeToken);
        gate = turn;
        await turn;
        return await task();
      } finally {
        releaseSlot();
      }
    },
    holdUntil(until: number): void {
      heldUntil = Math.max(heldUntil, until);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
