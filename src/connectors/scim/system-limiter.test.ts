import { describe, expect, it } from 'vitest';
import { createSystemLimiter } from './system-limiter.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createSystemLimiter', () => {
  it('never runs more tasks at once than allowed', async () => {
    const limiter = createSystemLimiter({ maxConcurrency: 2, ratePerSecond: 1000, burst: 1000 });
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limiter.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(15);
          running -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });

  it('starts tasks no faster than the rate once the burst is spent', async () => {
    const limiter = createSystemLimiter({ maxConcurrency: 10, ratePerSecond: 20, burst: 2 });
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, () => limiter.run(async () => void started.push(Date.now() - t0))),
    );
    // 2 at once, then 4 more at 50 ms intervals: about 200 ms for the last.
    expect(started[1]).toBeLessThan(30);
    expect(started[5]).toBeGreaterThanOrEqual(180);
    expect(started[5]).toBeLessThan(700);
  });

  it('holds every start until the hold ends, and a task that throws frees its slot', async () => {
    const limiter = createSystemLimiter({ maxConcurrency: 1, ratePerSecond: 1000, burst: 1000 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    limiter.holdUntil(Date.now() + 120);
    const t0 = Date.now();
    await limiter.run(async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });
});
