/** A time zone to count days in: an IANA name (`Europe/Paris`) or a fixed offset (`+05:30`). */
export interface TimeZone {
  /** As given, normalized: the IANA name Intl resolved, or `+HH:MM`. */
  name: string;
  /** Milliseconds to add to a UTC instant to read its wall-clock time in this zone. */
  offsetAt(t: number): number;
}

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/i;
const DAY_MS = 86_400_000;

function fixedOffset(sign: string, hh: string, mm: string): TimeZone | undefined {
  const minutes = Number(hh) * 60 + Number(mm);
  if (Number(mm) >= 60 || minutes > 14 * 60) return undefined;
  const ms = (sign === '-' ? -1 : 1) * minutes * 60_000;
  return { name: `${minutes === 0 ? '+' : sign}${hh}:${mm}`, offsetAt: () => ms };
}

/** Parses a `tz` parameter; `undefined` when it names no zone. */
export function parseTimeZone(tz: string): TimeZone | undefined {
  const m = OFFSET.exec(tz);
  if (m) return fixedOffset(m[1]!, m[2]!, m[3]!);
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined; // RangeError: not a zone Intl knows
  }
  return {
    name: fmt.resolvedOptions().timeZone,
    offsetAt(t) {
      const whole = Math.floor(t / 1000) * 1000;
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(whole)) p[part.type] = Number(part.value);
      const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
      return wall - whole;
    },
  };
}

/** The instant local midnight begins on the day `utcDate` (a UTC midnight naming the local date). */
function localMidnight(zone: TimeZone, utcDate: number): number {
  // Two passes settle the offset across a DST change on that day.
  const guess = utcDate - zone.offsetAt(utcDate);
  return utcDate - zone.offsetAt(guess);
}

/**
 * The last `days` local days up to `now` (today included), oldest first: each its local date
 * (`YYYY-MM-DD`) and its inclusive UTC range; today ends at `now`. A day around a DST change
 * lasts 23 or 25 hours.
 */
export function localDays(
  zone: TimeZone,
  days: number,
  now: number,
): { day: string; from: number; to: number }[] {
  const today = Math.floor((now + zone.offsetAt(now)) / DAY_MS) * DAY_MS;
  const out = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = today - i * DAY_MS;
    const from = localMidnight(zone, date);
    const to = i === 0 ? now : localMidnight(zone, date + DAY_MS) - 1;
    out.push({ day: new Date(date).toISOString().slice(0, 10), from, to });
  }
  return out;
}
