import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openCsvSource,
  type CsvOpenResult,
  type CsvRow,
  type CsvSourceOptions,
} from './csv-source.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/csv');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'provlog-csv-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function tmpFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, content);
  return path;
}

/** Where the suites below read rows: on the caller's thread (Infinity) or another (0). */
let threadFromBytes = Infinity;

async function open(path: string, extra: Partial<CsvSourceOptions> = {}): Promise<CsvOpenResult> {
  return openCsvSource({ path, keyColumn: 'id', threadFromBytes, ...extra });
}

async function readAll(path: string, extra: Partial<CsvSourceOptions> = {}) {
  const source = await open(path, extra);
  if (!source.ok) throw new Error(`expected ok, got ${source.code}: ${source.reason}`);
  const rows: CsvRow[] = [];
  for await (const row of source.rows) rows.push(row);
  return { headers: source.headers, rows };
}

function summary(rows: CsvRow[]) {
  return rows.map((row) =>
    row.kind === 'record' ? { line: row.line, key: row.key } : { line: row.line, code: row.code },
  );
}

describe.each([
  ["on the caller's thread", Infinity],
  ['on a thread of its own', 0],
])('rows read %s', (_where, fromBytes) => {
  beforeAll(() => {
    threadFromBytes = fromBytes;
  });
  afterAll(() => {
    threadFromBytes = Infinity;
  });

  describe('openCsvSource: reading', () => {
    it('strips a UTF-8 BOM and reads CRLF line endings', async () => {
      const path = await tmpFile(
        'bom-crlf.csv',
        '\uFEFFid,email\r\n1,a@x.org\r\n\r\n2,b@x.org\r\n',
      );
      const { headers, rows } = await readAll(path);
      expect(headers).toEqual(['id', 'email']);
      expect(rows).toEqual([
        { kind: 'record', line: 2, key: '1', values: { id: '1', email: 'a@x.org' } },
        { kind: 'record', line: 4, key: '2', values: { id: '2', email: 'b@x.org' } },
      ]);
    });

    it('keeps every column as an own value, even one named like a property of objects', async () => {
      const path = await tmpFile('proto.csv', 'id,__proto__,constructor\n1,x,y\n');
      const { rows } = await readAll(path);
      const row = rows[0]!;
      if (row.kind !== 'record') throw new Error(`expected a record, got ${row.code}`);
      expect(Object.keys(row.values)).toEqual(['id', '__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(row.values, '__proto__')?.value).toBe('x');
      expect(row.values.constructor).toBe('y');
      expect(Object.getPrototypeOf(row.values)).toBe(Object.prototype);
    });

    it('keeps quoted values verbatim and numbers rows by the line they start on', async () => {
      const { rows } = await readAll(join(FIXTURES, 'quoted-newline.csv'));
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 4, key: '2' },
        { line: 5, key: '3' },
        { line: 8, key: '4' },
      ]);
      const first = rows[0];
      expect(first?.kind === 'record' && first.values.note).toBe('multi\nline, with "quotes"');
    });

    it('counts a CRLF inside a quoted value as one line and keeps it in the value', async () => {
      const path = await tmpFile(
        'crlf-quoted.csv',
        'id,note\r\n1,"a\r\nb\r\nc"\r\n2,x\r\n\r\n3," y "\r\n',
      );
      const { rows } = await readAll(path);
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 5, key: '2' },
        { line: 7, key: '3' },
      ]);
      expect(rows[0]?.kind === 'record' && rows[0].values.note).toBe('a\r\nb\r\nc');
      expect(rows[2]?.kind === 'record' && rows[2].values.note).toBe(' y ');
    });

    it('trims whitespace around unquoted values and header names', async () => {
      const path = await tmpFile('spaces.csv', ' id , email \n 1 ,  a@x.org \n');
      const { headers, rows } = await readAll(path);
      expect(headers).toEqual(['id', 'email']);
      expect(rows[0]).toMatchObject({ key: '1', values: { id: '1', email: 'a@x.org' } });
    });

    it('detects a semicolon delimiter', async () => {
      const { headers, rows } = await readAll(join(FIXTURES, 'semicolon.csv'));
      expect(headers).toEqual(['id', 'email', 'name']);
      expect(rows[0]).toMatchObject({ values: { name: 'Doe; Jane' } });
      expect(rows).toHaveLength(2);
    });

    it('uses an explicit delimiter over detection', async () => {
      const path = await tmpFile('tab.csv', 'id\temail,with comma\n1\ta,b\n');
      const { headers, rows } = await readAll(path, { delimiter: '\t' });
      expect(headers).toEqual(['id', 'email,with comma']);
      expect(rows[0]).toMatchObject({ values: { 'email,with comma': 'a,b' } });
    });

    it('skips rows whose every value is empty', async () => {
      const path = await tmpFile('padding.csv', 'id,email\n1,a@x.org\n,\n,\n');
      const { rows } = await readAll(path);
      expect(summary(rows)).toEqual([{ line: 2, key: '1' }]);
    });
  });

  describe('openCsvSource: row errors', () => {
    it('ends the rows with CsvUnreadable when the file is gone once reading starts', async () => {
      const path = await tmpFile('vanishing.csv', 'id,email\n1,a@x.org\n');
      const source = await open(path);
      if (!source.ok) throw new Error(source.reason);
      await rm(path);
      const rows: CsvRow[] = [];
      for await (const row of source.rows) rows.push(row);
      expect(rows).toEqual([
        expect.objectContaining({ kind: 'row_error', code: 'CsvUnreadable', line: 1 }),
      ]);
      expect((rows[0] as { reason: string }).reason).toMatch(/vanishing\.csv/);
    });

    it('reports malformed rows with their line and goes on', async () => {
      const { rows } = await readAll(join(FIXTURES, 'malformed-row.csv'));
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 3, code: 'CsvMalformedRow' },
        { line: 4, code: 'CsvMalformedRow' },
        { line: 5, key: '4' },
      ]);
      expect(rows[1]).toMatchObject({
        reason: 'Line 3 has 2 values but the header has 3 columns.',
      });
      expect(rows[2]).toMatchObject({ raw: expect.stringContaining('Ca"') });
    });

    it('reports an unclosed quote with the lines it swallowed', async () => {
      const path = await tmpFile(
        'unclosed.csv',
        'id,name\n1,a\n2,"bob\n3,c\n4,d\n5,"e"\n6,f\n7,"g\n',
      );
      const { rows } = await readAll(path);
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 3, code: 'CsvMalformedRow' },
        { line: 7, key: '6' },
        { line: 8, code: 'CsvMalformedRow' },
      ]);
      expect(rows[1]).toMatchObject({ reason: expect.stringContaining('lines 3 to 6') });
    });

    it('reports a missing key or required value as MandatoryFieldsMissing', async () => {
      const { rows } = await readAll(join(FIXTURES, 'missing-values.csv'), {
        requiredColumns: ['email'],
      });
      expect(rows.slice(1)).toEqual([
        {
          kind: 'row_error',
          line: 3,
          code: 'MandatoryFieldsMissing',
          reason: "Required attribute 'id' is missing (line 3).",
        },
        {
          kind: 'row_error',
          line: 4,
          code: 'MandatoryFieldsMissing',
          key: '3',
          reason: "Required attribute 'email' is missing (line 4).",
        },
      ]);
    });

    it('reports a duplicate key naming the line it first appeared on', async () => {
      const { rows } = await readAll(join(FIXTURES, 'duplicate-key.csv'));
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 3, key: '2' },
        { line: 4, code: 'DuplicateSourceEntries' },
      ]);
      expect(rows[2]).toMatchObject({ key: '1', reason: expect.stringContaining('line 2') });
    });

    it('reports invalid UTF-8 bytes on their row only', async () => {
      const path = await tmpFile(
        'invalid-utf8.csv',
        Buffer.concat([
          Buffer.from('id,name\n1,Andr\xc3\xa9\n2,Bj', 'latin1'),
          Buffer.from([0xf6]),
          Buffer.from('rn\n3,Cy\n'),
        ]),
      );
      const { rows } = await readAll(path);
      expect(summary(rows)).toEqual([
        { line: 2, key: '1' },
        { line: 3, code: 'CsvInvalidEncoding' },
        { line: 4, key: '3' },
      ]);
      expect(rows[0]).toMatchObject({ values: { name: 'André' } });
    });
  });

  describe('openCsvSource: streaming', () => {
    it('streams 200,000 rows with the right last line number', async () => {
      const path = join(tmp, 'large.csv');
      const out = createWriteStream(path);
      out.write('id,email,name\n');
      for (let i = 1; i <= 200_000; i++) {
        if (!out.write(`${i},user${i}@example.org,"User ${i}"\n`)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');

      const source = await open(path, { requiredColumns: ['email'] });
      if (!source.ok) throw new Error(source.reason);
      let records = 0;
      let errors = 0;
      let last: CsvRow | undefined;
      for await (const row of source.rows) {
        if (row.kind === 'record') records++;
        else errors++;
        last = row;
      }
      expect({ records, errors }).toEqual({ records: 200_000, errors: 0 });
      expect(last).toMatchObject({ kind: 'record', line: 200_001, key: '200000' });
    });

    it('closes the file when the consumer stops early and can iterate again', async () => {
      const source = await open(join(FIXTURES, 'duplicate-key.csv'));
      if (!source.ok) throw new Error(source.reason);
      for await (const row of source.rows) {
        expect(row.line).toBe(2);
        break;
      }
      let count = 0;
      for await (const _row of source.rows) count++;
      expect(count).toBe(3);
    });
  });
});

describe('openCsvSource: file-level failures', () => {
  it.each([
    ['a missing file', () => join(tmp, 'nope.csv'), 'CsvUnreadable', 'does not exist'],
    ['a directory', () => tmp, 'CsvUnreadable', 'is a directory'],
    ['an empty file', () => tmpFile('empty.csv', ''), 'CsvMissingHeader', 'is empty'],
    [
      'blank lines only',
      () => join(FIXTURES, 'blank-lines-only.csv'),
      'CsvMissingHeader',
      'no header row',
    ],
    [
      'a blank header name',
      () => join(FIXTURES, 'blank-header.csv'),
      'CsvMissingHeader',
      'Column 2',
    ],
    [
      'a duplicate header name',
      () => tmpFile('dup-header.csv', 'id,a,a\n'),
      'CsvMissingHeader',
      "'a' more than once",
    ],
    [
      'no key column',
      () => join(FIXTURES, 'no-key-column.csv'),
      'CsvMissingHeader',
      "no column 'id'",
    ],
    [
      'a UTF-16 BOM',
      () =>
        tmpFile(
          'utf16.csv',
          Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,email\n', 'utf16le')]),
        ),
      'CsvInvalidEncoding',
      'UTF-16',
    ],
    [
      'a UTF-32 BOM',
      () => tmpFile('utf32.csv', Buffer.from([0xff, 0xfe, 0, 0, 0x69, 0, 0, 0])),
      'CsvInvalidEncoding',
      'UTF-32',
    ],
    [
      'invalid UTF-8 in the header',
      () => tmpFile('bad-header.csv', Buffer.from([0x69, 0x64, 0x2c, 0xff, 0x0a])),
      'CsvInvalidEncoding',
      'not valid UTF-8',
    ],
  ])('fails on %s', async (_label, makePath, code, reason) => {
    const result = await open(await makePath());
    expect(result).toMatchObject({ ok: false, code, reason: expect.stringContaining(reason) });
  });

  it('names every missing required column', async () => {
    const result = await open(join(FIXTURES, 'duplicate-key.csv'), {
      requiredColumns: ['email', 'mail', 'upn'],
    });
    expect(result).toMatchObject({
      ok: false,
      code: 'CsvMissingHeader',
      reason: expect.stringContaining("no column 'mail', 'upn'"),
    });
  });

  it('fails on a path the system refuses to open', async () => {
    // Root reads any mode bits, so the refusal comes from the path itself: a file used as a folder.
    const file = await tmpFile('plain.csv', 'id\n1\n');
    expect(await open(join(file, 'child.csv'))).toMatchObject({ ok: false, code: 'CsvUnreadable' });
  });
});

describe('openCsvSource: a consumer that takes its time', () => {
  it('gets every row of a file larger than what the parser holds at once', async () => {
    // The parser fills up while the consumer is away (an import writing to the hub): it must
    // be read again when the consumer comes back, not waited for.
    const lines = ['id,email,name'];
    for (let i = 1; i <= 6_000; i++) lines.push(`${i},user${i}@x.org,"User, ${i}"`);
    const path = await tmpFile('slow.csv', `${lines.join('\n')}\n`);
    const source = await openCsvSource({ path, keyColumn: 'id' });
    if (!source.ok) throw new Error(source.reason);
    let n = 0;
    for await (const row of source.rows) {
      if (row.kind === 'record') n++;
      if (n % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(n).toBe(6_000);
  });
});

describe('openCsvSource: the reading thread', () => {
  it("gives the same rows, in the same order, as reading on the caller's thread", async () => {
    // Row errors of every kind among records, across the thread's batches of 1,000 rows.
    const lines = ['id,email,name'];
    for (let i = 1; i <= 3_500; i++) {
      if (i % 997 === 0) lines.push(`${i},"broken"quote,x`);
      else if (i % 401 === 0) lines.push(`${i - 1},dup${i}@x.org,Dup`);
      else if (i % 733 === 0) lines.push(`${i},only two`);
      else if (i % 1_000 === 0) lines.push(`,nokey${i}@x.org,No key`);
      else lines.push(`${i},user${i}@x.org,"User, ${i}"`);
    }
    const path = await tmpFile('mixed.csv', `${lines.join('\r\n')}\r\n`);
    const read = async (fromBytes: number) => {
      const source = await openCsvSource({ path, keyColumn: 'id', threadFromBytes: fromBytes });
      if (!source.ok) throw new Error(source.reason);
      const rows: CsvRow[] = [];
      for await (const row of source.rows) rows.push(row);
      return rows;
    };
    const here = await read(Infinity);
    const there = await read(0);
    expect(there).toEqual(here);
    const codes = here.flatMap((r) => (r.kind === 'row_error' ? [r.code] : []));
    expect(codes.filter((c) => c === 'CsvMalformedRow')).toHaveLength(3 + 4);
    expect(codes.filter((c) => c === 'DuplicateSourceEntries')).toHaveLength(8);
    expect(codes.filter((c) => c === 'MandatoryFieldsMissing')).toHaveLength(3);
    // Each broken quote takes the next line into its row, up to that line's first quote.
    expect(here.filter((r) => r.kind === 'record')).toHaveLength(3_500 - 18 - 3);
    expect(here.at(-1)).toMatchObject({ line: 3_501, key: '3500' });
  });

  it('reads on a thread of its own from the size given', async () => {
    const path = await tmpFile('small.csv', 'id\n1\n2\n');
    // Nothing to tell the paths apart from outside but the time a thread takes to start; the
    // file is read either way, and a size above the file's keeps the caller's thread.
    for (const fromBytes of [0, 1_000_000]) {
      const source = await openCsvSource({ path, keyColumn: 'id', threadFromBytes: fromBytes });
      if (!source.ok) throw new Error(source.reason);
      const keys: string[] = [];
      for await (const row of source.rows) if (row.kind === 'record') keys.push(row.key);
      expect(keys).toEqual(['1', '2']);
    }
  });
});
