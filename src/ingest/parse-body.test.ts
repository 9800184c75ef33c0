import { describe, expect, it } from 'vitest';
import { BodyError, eachNdjsonRecord, recordsFromNdjson } from './parse-body.ts';

const body = [
  '{"kind":"task","id":"t1"}',
  '',
  '  {"kind":"entry","changeId":"c1"}  \r',
  '[1]',
  '{"kind":"other"}',
  '{"kind":"entry","changeId":"c2"}',
].join('\n');

describe('NDJSON bodies', () => {
  it('hands each record and each refusal on in line order', () => {
    const seen: string[] = [];
    eachNdjsonRecord(
      body,
      (r) => seen.push(`${r.index}:${r.line}:${r.kind}`),
      (r) => seen.push(`${r.index}:${r.line}:${r.errors[0]!.field}`),
    );
    expect(seen).toEqual(['0:1:task', '1:3:entry', '2:4:/', '3:5:/kind', '4:6:entry']);
  });

  it('strips the kind from the value', () => {
    const { records, rejected } = recordsFromNdjson(body);
    expect(records.map((r) => r.value)).toEqual([
      { id: 't1' },
      { changeId: 'c1' },
      { changeId: 'c2' },
    ]);
    expect(rejected.map((r) => r.line)).toEqual([4, 5]);
  });

  it('refuses the whole body at a line that is not JSON, after the lines before it', () => {
    const seen: number[] = [];
    let thrown: unknown;
    try {
      eachNdjsonRecord(
        '{"kind":"entry"}\n{nope',
        (r) => seen.push(r.line!),
        () => undefined,
      );
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BodyError);
    expect((thrown as BodyError).message).toMatch(/^Line 2 is not valid JSON/);
    expect((thrown as BodyError).malformed).toBe(true);
    expect(seen).toEqual([1]);
  });
});
