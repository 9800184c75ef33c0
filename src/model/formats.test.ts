import { describe, expect, it } from 'vitest';
import { isIsoDateTime, toIsoString } from './formats.ts';

describe('isIsoDateTime', () => {
  it('accepts RFC 3339 date-times with an offset, seconds and fractions optional', () => {
    for (const v of [
      '2026-11-20T10:00Z',
      '2026-11-20T10:00:05Z',
      '2026-11-20T10:00:05.1Z',
      '2026-11-20T10:00:05.123456789+05:30',
      '2026-11-20t10:00:05z',
      '2024-02-29T00:00:00-23:59',
      '2000-02-29T00:00:00Z',
      '0100-01-01T00:00:00Z',
    ])
      expect(isIsoDateTime(v), v).toBe(true);
  });

  it('refuses other shapes', () => {
    for (const v of [
      '',
      '2026-11-20',
      '2026-11-20T10:00',
      '2026-11-20 10:00Z',
      '2026-1-20T10:00Z',
      '2026-11-20T10:00:05.Z',
      '2026-11-20T10:00:05.1234567890Z',
      '2026-11-20T10:00:5Z',
      '2026-11-20T10:00Zx',
      ' 2026-11-20T10:00Z',
      '2026-11-20T10:00Z\n',
      '2026-11-20T10:00+0530',
      '2026-11-20T10:00+05:3',
      '+02026-11-20T10:00Z',
      '٢٠٢٦-11-20T10:00Z',
    ])
      expect(isIsoDateTime(v), v).toBe(false);
  });

  it('refuses dates that are not on the calendar and times Date.parse refuses', () => {
    for (const v of [
      '2026-02-29T00:00Z',
      '1900-02-29T00:00Z',
      '2026-04-31T00:00Z',
      '2026-13-01T00:00Z',
      '2026-00-10T00:00Z',
      '2026-01-00T00:00Z',
      '2026-01-32T00:00Z',
      '2026-01-01T25:00Z',
      '2026-01-01T23:60Z',
    ])
      expect(isIsoDateTime(v), v).toBe(false);
  });

  it('refuses the years 0000–0099, as the Date.UTC check it replaces did', () => {
    expect(isIsoDateTime('0050-01-01T00:00:00Z')).toBe(false);
    expect(isIsoDateTime('0099-12-31T00:00:00Z')).toBe(false);
  });

  it('agrees with the regular expression and Date.UTC check for every day of several years', () => {
    const shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
    const reference = (v: string) => {
      if (!shape.test(v) || Number.isNaN(Date.parse(v))) return false;
      const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, m - 1, d));
      return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    };
    for (const y of [100, 1900, 1970, 2000, 2023, 2024, 2100, 9999])
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++) {
          const v = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T12:30:00Z`;
          expect(isIsoDateTime(v), v).toBe(reference(v));
        }
  });
});

describe('toIsoString', () => {
  const viaDate = (v: string) => new Date(v).toISOString();

  it('gives what a Date round trip gives', () => {
    for (const v of [
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:00Z',
      '2026-11-20T12:00:00.000+02:00',
      '2026-11-20T10:00:00.123456Z',
      '2024-02-29T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
      '2026-11-20T24:00:00.000Z',
      '2026-11-20t10:00:00.000z',
    ])
      expect(toIsoString(v), v).toBe(viaDate(v));
  });

  it('agrees with the round trip on every day, hour edge and odd field of a few years', () => {
    for (const y of ['0000', '1900', '2000', '2023', '2024', '9999'])
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++)
          for (const t of [
            '00:00:00.000',
            '23:59:59.999',
            '24:00:00.000',
            '12:60:00.000',
            '12:00:60.000',
          ]) {
            const v = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${t}Z`;
            let expected: string | Error;
            try {
              expected = viaDate(v);
            } catch (err) {
              expected = err as Error;
            }
            if (expected instanceof Error) expect(() => toIsoString(v), v).toThrow(RangeError);
            else expect(toIsoString(v), v).toBe(expected);
          }
  });
});
