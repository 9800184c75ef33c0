import { availableParallelism } from 'node:os';
import { probeCsvFile, type CatalogCodes } from './probe-csv-file.ts';
import {
  MAX_RECORD_CHARS,
  readCsvBatches,
  readCsvRecords,
  type ParsedRecord,
} from './read-csv-records.ts';
import { readRowsThreaded } from './threaded-rows.ts';
import { rowValues } from './row-values.ts';

/** Where and how to read a CSV source. */
export interface CsvSourceOptions {
  path: string;
  /** One character; when absent, the most frequent of `,` `;` tab on the header line. */
  delimiter?: string;
  /** Only UTF-8 (with or without BOM); UTF-16/32 files fail with CsvInvalidEncoding. */
  encoding?: 'utf-8';
  /** The column that identifies a row; its value is required and must be unique in the file. */
  keyColumn: string;
  /** Columns that must exist in the header and have a value on every row. */
  requiredColumns?: string[];
  /**
   * Files of at least this many bytes are parsed on a thread of their own while the rows are
   * consumed; smaller ones on the caller's thread, where starting a thread would cost more than
   * it saves. Same rows either way. Default: 4 MiB (~50,000 rows of a user export) on a machine
   * of more than two cores, otherwise never: an import already keeps two threads busy (its own
   * and the log's writer), and on two cores a third only adds the cost of handing rows over
   * (100,000-user imports on this 2-core host: the main thread 1-2 CPU s lighter, the process
   * 1 CPU s heavier, no faster).
   */
  threadFromBytes?: number;
}

const THREAD_FROM_BYTES = availableParallelism() > 2 ? 4 * 1024 * 1024 : Infinity;

/** Codes a row can fail with; each row error is reported and reading goes on. */
export type CsvRowErrorCode = CatalogCodes<
  | 'CsvMalformedRow'
  | 'CsvInvalidEncoding'
  | 'MandatoryFieldsMissing'
  | 'DuplicateSourceEntries'
  // Only as the last row: reading stopped (I/O error, or a file changed since it was opened).
  | 'CsvUnreadable'
  | 'CsvMissingHeader'
>;

/** Codes that stop the whole file before any row is read. */
export type CsvOpenErrorCode = CatalogCodes<
  'CsvUnreadable' | 'CsvMissingHeader' | 'CsvInvalidEncoding'
>;

/** One data row of the file; `line` is the 1-based physical line it starts on (header = 1). */
export type CsvRow =
  | { kind: 'record'; line: number; key: string; values: Record<string, string> }
  | {
      kind: 'row_error';
      line: number;
      code: CsvRowErrorCode;
      reason: string;
      key?: string;
      raw?: string;
    };

export type CsvOpenResult =
  | { ok: true; headers: string[]; rows: AsyncIterable<CsvRow> }
  | { ok: false; code: CsvOpenErrorCode; reason: string };

/**
 * Opens a CSV source: checks the file, its encoding and its header, and returns the rows as
 * a lazy stream. Expected problems are results, never exceptions; only an invalid
 * `delimiter` option throws (RangeError).
 *
 * - `rows` re-reads the file from disk on each iteration, one record at a time, so memory
 *   stays flat whatever the size; keys already seen (for duplicates) are the only state that
 *   grows. Breaking out of the loop closes the file.
 * - Values are strings as in the file. Whitespace around unquoted values is trimmed, quoted
 *   values are kept verbatim (embedded delimiters, doubled quotes, CRLF or LF line breaks).
 *   Header names are trimmed and must be non-blank and unique (case-sensitively).
 * - Blank lines, and rows whose every value is empty (spreadsheet padding such as `,,,`),
 *   are skipped without a row.
 * - Invalid UTF-8 is reported per row (CsvInvalidEncoding) since the parser decodes value by
 *   value; in the header it fails the whole file. A U+FFFD replacement character is treated
 *   as invalid too: it is the residue of an earlier failed conversion, the value is garbled.
 * - A row with a different number of values from the header, or broken quoting, is a
 *   CsvMalformedRow. After a broken quote the parser resumes at the next quote that closes a
 *   value; the reason names every line read as part of that row. A row longer than
 *   1,000,000 characters (usually an unclosed quote) ends the rows with a CsvMalformedRow.
 * - An empty key or required value is MandatoryFieldsMissing; a key seen on an earlier line
 *   (compared exactly, case-sensitively) is DuplicateSourceEntries naming that line; the
 *   first occurrence stays a record. A key counts as seen once a row carries it, even if that
 *   row then fails for a missing required value.
 */
export async function openCsvSource(opts: CsvSourceOptions): Promise<CsvOpenResult> {
  const probe = await probeCsvFile(opts.path, opts.delimiter);
  if (!probe.ok) return probe;
  const header = await readHeader(opts.path, probe.delimiter);
  if (!header.ok) return header;

  const needed = [opts.keyColumn, ...(opts.requiredColumns ?? [])];
  const absent = needed.filter((column) => !header.headers.includes(column));
  if (absent.length > 0) {
    return {
      ok: false,
      code: 'CsvMissingHeader',
      reason: `The header row of '${opts.path}' has no column ${quoteList(absent)}; its columns are ${quoteList(header.headers)}.`,
    };
  }
  const { headers } = header;
  const threaded = probe.bytes >= (opts.threadFromBytes ?? THREAD_FROM_BYTES);
  return {
    ok: true,
    headers,
    rows: {
      [Symbol.asyncIterator]: () =>
        threaded
          ? readRowsThreaded(opts, probe.delimiter, headers)
          : readRows(opts, probe.delimiter, headers),
    },
  };
}

type HeaderResult =
  { ok: true; headers: string[] } | { ok: false; code: CsvOpenErrorCode; reason: string };

async function readHeader(path: string, delimiter: string): Promise<HeaderResult> {
  const records = readCsvRecords(path, delimiter);
  try {
    const first = await records.next();
    if (first.done) {
      return {
        ok: false,
        code: 'CsvMissingHeader',
        reason: `'${path}' has no header row: it contains only blank lines.`,
      };
    }
    return checkHeader(path, first.value);
  } finally {
    await records.return(undefined);
  }
}

function checkHeader(path: string, record: ParsedRecord): HeaderResult {
  switch (record.kind) {
    case 'read_failed':
      return {
        ok: false,
        code: 'CsvUnreadable',
        reason: `'${path}' could not be read: ${record.message}`,
      };
    case 'too_large':
    case 'malformed':
      return {
        ok: false,
        code: 'CsvMissingHeader',
        reason: `The header row of '${path}' (line ${record.line}) cannot be parsed: ${record.kind === 'malformed' ? record.problem : 'it is longer than the largest row provlog reads'}.`,
      };
    case 'fields': {
      const headers = record.fields.map((name) => name.trim());
      if (headers.some((name) => name.includes('\uFFFD'))) {
        return {
          ok: false,
          code: 'CsvInvalidEncoding',
          reason: `The header row of '${path}' contains bytes that are not valid UTF-8.`,
        };
      }
      const blank = headers.findIndex((name) => name === '');
      if (blank !== -1) {
        return {
          ok: false,
          code: 'CsvMissingHeader',
          reason: `Column ${blank + 1} of the header row of '${path}' (line ${record.line}) has no name.`,
        };
      }
      const duplicate = headers.find((name, i) => headers.indexOf(name) !== i);
      if (duplicate !== undefined) {
        return {
          ok: false,
          code: 'CsvMissingHeader',
          reason: `The header row of '${path}' names column '${duplicate}' more than once.`,
        };
      }
      return { ok: true, headers };
    }
  }
}

/** The file's rows, read and checked on this thread (csv-reader-main.ts runs it on another). */
export async function* readRows(
  opts: CsvSourceOptions,
  delimiter: string,
  headers: string[],
): AsyncGenerator<CsvRow> {
  const required = opts.requiredColumns?.filter((column) => column !== opts.keyColumn) ?? [];
  const firstLineOfKey = new Map<string, number>();
  let headerSeen = false;

  for await (const batch of readCsvBatches(opts.path, delimiter))
    for (const record of batch) {
      if (!headerSeen) {
        headerSeen = true;
        const now = checkHeader(opts.path, record);
        // The file was replaced or rewritten between openCsvSource and this read.
        if (!now.ok || now.headers.join('\n') !== headers.join('\n')) {
          yield {
            kind: 'row_error',
            line: record.line,
            code: now.ok ? 'CsvMissingHeader' : now.code,
            reason: `The header row of '${opts.path}' changed after the file was opened; open the source again.`,
          };
          return;
        }
        continue;
      }
      switch (record.kind) {
        case 'read_failed':
          yield {
            kind: 'row_error',
            line: record.line,
            code: 'CsvUnreadable',
            reason: `Reading '${opts.path}' stopped after line ${record.line}: ${record.message}`,
          };
          return;
        case 'too_large':
          yield {
            kind: 'row_error',
            line: record.line,
            code: 'CsvMalformedRow',
            reason: `The row starting at line ${record.line} is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters, most likely because of a quote that is never closed; the rest of the file was not read.`,
          };
          return;
        case 'malformed': {
          const span =
            record.lastLine > record.line
              ? `; lines ${record.line} to ${record.lastLine} were read as this one row and skipped`
              : '';
          yield {
            kind: 'row_error',
            line: record.line,
            code: 'CsvMalformedRow',
            reason: `Line ${record.line}: ${record.problem}${span}.`,
            raw: record.raw,
          };
          break;
        }
        case 'fields': {
          const row = toRow(record, headers, opts.keyColumn, required, firstLineOfKey);
          if (row) yield row;
          break;
        }
      }
    }
}

function toRow(
  record: Extract<ParsedRecord, { kind: 'fields' }>,
  headers: string[],
  keyColumn: string,
  required: string[],
  firstLineOfKey: Map<string, number>,
): CsvRow | undefined {
  const { line, fields, raw } = record;
  if (fields.every((value) => value === '')) return undefined;
  if (fields.length !== headers.length) {
    return {
      kind: 'row_error',
      line,
      code: 'CsvMalformedRow',
      reason: `Line ${line} has ${fields.length} values but the header has ${headers.length} columns.`,
      raw: raw.slice(0, 1000),
    };
  }
  if (fields.some((value) => value.includes('\uFFFD'))) {
    return {
      kind: 'row_error',
      line,
      code: 'CsvInvalidEncoding',
      reason: `Line ${line} contains bytes that are not valid UTF-8.`,
    };
  }
  const values = rowValues(headers, fields);
  const key = values[keyColumn] ?? '';
  if (key === '') {
    return {
      kind: 'row_error',
      line,
      code: 'MandatoryFieldsMissing',
      reason: `Required attribute '${keyColumn}' is missing (line ${line}).`,
    };
  }
  const firstLine = firstLineOfKey.get(key);
  if (firstLine !== undefined) {
    return {
      kind: 'row_error',
      line,
      code: 'DuplicateSourceEntries',
      key,
      reason: `'${keyColumn}' value '${key}' already appears on line ${firstLine}; this row (line ${line}) was skipped.`,
    };
  }
  firstLineOfKey.set(key, line);
  const missing = required.filter((column) => values[column] === '');
  if (missing.length > 0) {
    const what =
      missing.length === 1
        ? `Required attribute ${quoteList(missing)} is`
        : `Required attributes ${quoteList(missing)} are`;
    return {
      kind: 'row_error',
      line,
      code: 'MandatoryFieldsMissing',
      key,
      reason: `${what} missing (line ${line}).`,
    };
  }
  return { kind: 'record', line, key, values };
}

function quoteList(names: string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}
