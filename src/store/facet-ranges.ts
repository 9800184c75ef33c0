import { DAY_MS, HOUR_MS } from './entry-columns.ts';

/** Half-open [start, end) in epoch ms. */
export type Range = [number, number];

export interface RangePlan {
  days: Range[];
  hours: Range[];
  raw: Range[];
}

const MAX_TIME = 8.64e15;

/**
 * Splits an inclusive time filter into whole days (read from the day rollup), whole hours at
 * the edges (hour rollup) and the minutes left over (counted from entries themselves).
 */
export function planFacetRanges(from: number | undefined, to: number | undefined): RangePlan {
  const start = from ?? -MAX_TIME;
  const end = to === undefined ? MAX_TIME : to + 1;
  const plan: RangePlan = { days: [], hours: [], raw: [] };
  if (start >= end) return plan;
  const edges: Range[] = [];
  const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastDayEnd = Math.floor(end / DAY_MS) * DAY_MS;
  if (firstDay < lastDayEnd) {
    plan.days.push([firstDay, lastDayEnd]);
    if (start < firstDay) edges.push([start, firstDay]);
    if (lastDayEnd < end) edges.push([lastDayEnd, end]);
  } else {
    edges.push([start, end]);
  }
  for (const [a, b] of edges) {
    const firstHour = Math.ceil(a / HOUR_MS) * HOUR_MS;
    const lastHourEnd = Math.floor(b / HOUR_MS) * HOUR_MS;
    if (firstHour < lastHourEnd) {
      plan.hours.push([firstHour, lastHourEnd]);
      if (a < firstHour) plan.raw.push([a, firstHour]);
      if (lastHourEnd < b) plan.raw.push([lastHourEnd, b]);
    } else {
      plan.raw.push([a, b]);
    }
  }
  return plan;
}
