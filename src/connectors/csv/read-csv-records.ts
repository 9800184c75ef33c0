import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';

/**
 * Largest record, in characters, before reading stops. A broken quote makes csv-parse read
 * the rest of the file as one value; this bound keeps memory flat when that happens.
 */
export const MAX_RECORD_CHARS = 1_000_000;

/** One physical record of a CSV file, with the 1-based line it starts on. */
export type ParsedRecord =
  | { kind: 'fields'; line: number; fields: string[]; raw: string }
  | { kind: 'malformed'; line: number; lastLine: number; problem: string; raw: string }
  /** Terminal: a record grew past MAX_RECORD_CHARS; nothing after it is read. */
  | { kind: 'too_large'; line: number }
  /** Terminal: the file could not be read further (I/O error while streaming). */
  | { kind: 'read_failed'; line: number; message: string };

interface ParserRecord {
  /** The parser's line count when it pushed the record (see readCsvRecords). */
  lines: number;
  record: string[];
  raw: string;
}
interface ParserSkip {
  skip: { code: string; lines: number; raw: string };
}
interface PendingSkip {
  line: number;
  csvLine: number;
  code: string;
  raw: string;
}

const PROBLEMS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a double quote appears inside a value that does not start with one',
  CSV_INVALID_CLOSING_QUOTE:
    'a closing double quote is followed by other characters instead of the delimiter or a line break',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
    'a closing double quote is followed by other characters instead of the delimiter or a line break',
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed',
};

/**
 * Streams the records of a UTF-8 CSV file with csv-parse, one at a time (backpressure keeps
 * memory flat). Never throws: I/O failures end the sequence with `read_failed`.
 */
export async function* readCsvRecords(
  path: string,
  delimiter: string,
): AsyncGenerator<ParsedRecord> {
  for await (const batch of readCsvBatches(path, delimiter)) yield* batch;
}

/**
 * The records of a UTF-8 CSV file with csv-parse, as many at a time as the parser holds (a
 * few hundred): an import takes each batch in one step, where a step per record through the
 * stream's iterator and a generator cost a tenth of its reading time. Backpressure keeps memory
 * flat. Never throws: I/O failures end the sequence with `read_failed`.
 *
 * Line numbers: csv-parse counts a CRLF inside a quoted value as two lines, so this corrects
 * its count with the CRLFs it has seen in earlier records. The one case it cannot see is a
 * malformed record whose broken quote swallows CRLF line breaks after the point csv-parse
 * reports the error; later line numbers may then run ahead by that many lines.
 */
export async function* readCsvBatches(
  path: string,
  delimiter: string,
): AsyncGenerator<ParsedRecord[]> {
  const file = createReadStream(path);
  const parser = parse({
    delimiter,
    bom: true,
    // Both endings in one file: exports concatenated from several tools mix them.
    record_delimiter: ['\r\n', '\n'],
    raw: true,
    // Column counts are checked against the header by the caller, with a clearer reason.
    relax_column_count: true,
    // Strict quotes: relaxed quoting would silently glue the rows after a broken quote into one value.
    relax_quotes: false,
    skip_empty_lines: true,
    // Whitespace around unquoted values only; csv-parse never trims inside quotes.
    trim: true,
    max_record_size: MAX_RECORD_CHARS,
    skip_records_with_error: true,
    // Pushed into the parser's own output so skips stay in file order with the records.
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const skip = { code: err?.code ?? 'UNKNOWN', lines: Number(err?.lines ?? 0), raw: raw ?? '' };
      parser.push({ skip } satisfies ParserSkip);
      return undefined;
    },
  });
  // Each record's line count, taken as csv-parse pushes it, which it does right after counting
  // the record's lines. Its `info` option would say the same at a quarter of the parsing time:
  // a copy of the whole parsing state per record, and the raw text decoded a second time. The
  // tests of line numbers (CRLF inside quotes, blank lines, broken quotes) hold this to it.
  const push = parser.push.bind(parser);
  parser.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && typeof chunk === 'object' && 'record' in chunk)
      (chunk as ParserRecord).lines = parser.info.lines;
    return push(chunk, encoding);
  };
  // Read as the parser says records are ready; an error (an I/O failure, which the pipeline
  // passes on to the parser) ends the reading. The pipeline's own callback would also report
  // the premature close of a consumer that stops early: nothing to report then.
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const rouse = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  parser.on('readable', rouse);
  parser.on('end', () => {
    ended = true;
    rouse();
  });
  parser.on('error', (err: Error) => {
    failure ??= err;
    rouse();
  });
  pipeline(file, parser, () => {});

  let overcount = 0; // CRLFs inside quotes so far, which csv-parse counted twice
  let lastLine = 1;
  let pending: PendingSkip | undefined;

  const flush = (): ParsedRecord | undefined => {
    if (!pending) return undefined;
    const content = stripBlankLines(pending.raw);
    const crlfs = countOf(content, '\r\n');
    const endLine = Math.max(pending.line, pending.csvLine - overcount - crlfs);
    overcount += crlfs;
    const done = pending;
    pending = undefined;
    return {
      kind: 'malformed',
      line: done.line,
      lastLine: endLine,
      problem: PROBLEMS[done.code] ?? `csv-parse reported ${done.code}`,
      raw: done.raw.slice(0, 1000),
    };
  };

  try {
    for (;;) {
      const batch: ParsedRecord[] = [];
      let item: ParserRecord | ParserSkip | null;
      while (!failure && (item = parser.read() as ParserRecord | ParserSkip | null) !== null) {
        if ('skip' in item) {
          const { code, lines, raw } = item.skip;
          // csv-parse reports a record again at each further error in it, with a longer raw.
          if (pending && raw.length > pending.raw.length && raw.startsWith(pending.raw)) {
            pending = { ...pending, csvLine: lines, code, raw };
          } else {
            const flushed = flush();
            if (flushed) batch.push(flushed);
            const content = stripBlankLines(raw);
            // The increment for a trailing line break is still deferred inside csv-parse.
            const counted = countBreaks(content) - (/[\r\n]$/.test(content) ? 1 : 0);
            pending = { line: lines - counted - overcount, csvLine: lines, code, raw };
          }
          if (code === 'CSV_MAX_RECORD_SIZE') {
            batch.push({ kind: 'too_large', line: pending.line });
            yield batch;
            return;
          }
          lastLine = pending.line;
          continue;
        }
        const flushed = flush();
        if (flushed) batch.push(flushed);
        const { record } = item;
        // Line breaks inside the record's values: none where its text has no break but its last.
        const raw = stripBlankLines(item.raw);
        const inner = breaksWithin(raw);
        const breaks = inner ? record.reduce((n, value) => n + countBreaks(value), 0) : 0;
        const line = item.lines - overcount - breaks;
        if (inner) overcount += record.reduce((n, value) => n + countOf(value, '\r\n'), 0);
        lastLine = line;
        batch.push({ kind: 'fields', line, fields: record, raw });
      }
      if (failure) {
        if (batch.length) yield batch;
        yield [{ kind: 'read_failed', line: lastLine, message: failure.message }];
        return;
      }
      if (ended) {
        const flushed = flush();
        if (flushed) batch.push(flushed);
        if (batch.length) yield batch;
        return;
      }
      // Read again once the consumer has taken the batch: what arrived meanwhile said so then.
      if (batch.length) {
        yield batch;
        continue;
      }
      // Nothing ready: wait for the parser (read() returning nothing asks it to say when).
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    parser.destroy();
    file.destroy();
  }
}

// csv-parse keeps the blank lines it skipped at the head of the next record's raw text.
function stripBlankLines(raw: string): string {
  return raw.replace(/^(?:[ \t]*[\r\n])+/, '');
}

/** Whether a record's text breaks a line before its own ending: a quoted value holds a break. */
function breaksWithin(raw: string): boolean {
  const end = raw.endsWith('\r\n')
    ? raw.length - 2
    : raw.endsWith('\n')
      ? raw.length - 1
      : raw.length;
  for (let i = 0; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

function countBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) n++;
  }
  return n;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
