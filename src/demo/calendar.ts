export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** How busy an hour is: office hours on weekdays, little at night and on weekends. */
export function activity(t: number): number {
  const h = new Date(t).getUTCHours();
  const base = h >= 7 && h < 18 ? 3 : h >= 5 && h < 21 ? 1.2 : 0.3;
  return weekday(t) ? base : base * 0.25;
}

export function weekday(t: number): boolean {
  const dow = new Date(t).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The first time at or after `from` that is `offset` past a multiple of `period` since the epoch. */
export function firstAt(period: number, offset: number, from: number): number {
  return Math.ceil((from - offset) / period) * period + offset;
}

export function ldapTime(t: number): string {
  return `${new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
