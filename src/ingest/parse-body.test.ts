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

  it('reads UTF-8 bytes line by line as it reads the text they encode', () => {
    const text = `\uFEFF${body}\n{"kind":"entry","changeId":"c3","name":"山田 Ærø 👩‍💻"}\n`;
    const bytes = new TextEncoder().encode(text);
    const collect = (input: string | Uint8Array) => {
      const seen: unknown[] = [];
      eachNdjsonRecord(
        input,
        (r) => seen.push(r),
        (r) => seen.push(r),
      );
      return seen;
    };
    const fromBytes = collect(bytes);
    expect(fromBytes).toEqual(collect(new TextDecoder().decode(bytes)));
    expect(fromBytes.at(-1)).toMatchObject({ line: 7, value: { name: '山田 Ærø 👩‍💻' } });
    // A view into a bigger buffer reads only its own bytes.
    const framed = new Uint8Array(bytes.length + 20).fill(0x0a);
    framed.set(bytes, 10);
    expect(collect(framed.subarray(10, 10 + bytes.length))).toEqual(fromBytes);
    expect(() => collect(new TextEncoder().encode('{"kind":"entry"}\n{nope'))).toThrow(
      /^Line 2 is not valid JSON/,
    );
  });
});
