import { describe, expect, it } from 'vitest';
import { medianFigures, summarize } from '../bench/stats.ts';

describe('bench figures over repeated runs', () => {
  it('takes each number’s median across runs, keeping the shape and the words', () => {
    const runs = [
      { rows: 100, first: { seconds: 9.4, status: 'succeeded', cpu: null }, list: [1] },
      { rows: 100, first: { seconds: 7.1, status: 'succeeded', cpu: null }, list: [2] },
      { rows: 100, first: { seconds: 8.25, status: 'succeeded', cpu: null }, list: [3] },
    ];
    expect(medianFigures(runs)).toEqual({
      rows: 100,
      first: { seconds: 8.25, status: 'succeeded', cpu: null },
      list: [1],
    });
    // An even count: the mean of the middle two.
    expect(medianFigures([4, 1, 3, 2])).toBe(2.5);
  });

  it('summarises a sample of durations by median and 95th percentile', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(s).toEqual({ median: 50, p95: 95, max: 100, n: 100 });
  });
});
