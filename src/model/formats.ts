import { FormatRegistry } from '@sinclair/typebox';

/**
 * RFC 3339 date-time with a mandatory offset; Date.parse alone accepts too much ("2026-1-1").
 * The shape is /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i,
 * checked by a character loop: every entry's time goes through here on the ingest path.
 */
export function isIsoDateTime(value: string): boolean {
  if (!hasDateTimeShape(value)) return false;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  // Date.parse rolls 2026-02-31 over to March: check the calendar date is real.
  const y = digitsAt(value, 0, 4);
  const m = digitsAt(value, 5, 2);
  const d = digitsAt(value, 8, 2);
  // Years 0–99 were refused by the Date.UTC round trip this replaces (it maps them to 19xx).
  return y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/**
 * `new Date(value).toISOString()`, without the Date when `value` is already in that form — an
 * engine's own times are: YYYY-MM-DDTHH:mm:ss.sssZ, a calendar date, a time before 24:00.
 */
export function toIsoString(value: string): string {
  return isIsoString(value) ? value : new Date(value).toISOString();
}

function isIsoString(v: string): boolean {
  if (v.length !== 24 || v.charCodeAt(10) !== 84 /* T */ || v.charCodeAt(23) !== 90 /* Z */)
    return false;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 /* - */) return false;
  if (v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 /* : */ || v.charCodeAt(19) !== 46)
    return false;
  if (!digits(v, 0, 4) || !digits(v, 5, 2) || !digits(v, 8, 2) || !digits(v, 11, 2)) return false;
  if (!digits(v, 14, 2) || !digits(v, 17, 2) || !digits(v, 20, 3)) return false;
  const m = digitsAt(v, 5, 2);
  const d = digitsAt(v, 8, 2);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(digitsAt(v, 0, 4), m)) return false;
  return digitsAt(v, 11, 2) <= 23 && digitsAt(v, 14, 2) <= 59 && digitsAt(v, 17, 2) <= 59;
}

function hasDateTimeShape(v: string): boolean {
  const n = v.length;
  if (n < 17) return false;
  if (!digits(v, 0, 4) || v.charCodeAt(4) !== 45 /* - */ || !digits(v, 5, 2)) return false;
  if (v.charCodeAt(7) !== 45 || !digits(v, 8, 2)) return false;
  const t = v.charCodeAt(10);
  if ((t !== 84 && t !== 116) /* T t */ || !digits(v, 11, 2) || v.charCodeAt(13) !== 58 /* : */)
    return false;
  if (!digits(v, 14, 2)) return false;
  let i = 16;
  if (v.charCodeAt(i) === 58) {
    if (!digits(v, i + 1, 2)) return false;
    i += 3;
    if (v.charCodeAt(i) === 46 /* . */) {
      const from = ++i;
      while (i < n && isDigit(v.charCodeAt(i))) i++;
      if (i === from || i - from > 9) return false;
    }
  }
  const z = v.charCodeAt(i);
  if (z === 90 || z === 122 /* Z z */) return i + 1 === n;
  if (z !== 43 && z !== 45 /* + - */) return false;
  return i + 6 === n && digits(v, i + 1, 2) && v.charCodeAt(i + 3) === 58 && digits(v, i + 4, 2);
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function digits(v: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

function digitsAt(v: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + v.charCodeAt(i) - 48;
  return n;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Registers the string formats our schemas use with TypeBox's compiler (idempotent). */
export function registerFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isIsoDateTime);
}

registerFormats();
