import { FormatRegistry } from '@sinclair/typebox';

// RFC 3339 date-time with a mandatory offset; Date.parse alone accepts too much ("2026-1-1").
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function isIsoDateTime(value: string): boolean {
  if (!DATE_TIME.test(value)) return false;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  // Date.parse rolls 2026-02-31 over to March: check the calendar date survived.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** Registers the string formats our schemas use with TypeBox's compiler (idempotent). */
export function registerFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isIsoDateTime);
}

registerFormats();
