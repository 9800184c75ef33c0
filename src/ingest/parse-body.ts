import type { FieldError } from '../model/validation-error.ts';
import type { IngestRecord } from './ingest-records.ts';

export class BodyError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
    readonly malformed: boolean,
  ) {
    super(message);
  }
}

/** At most this many records in one request: bigger loads are sent as several batches. */
export const MAX_RECORDS = 100_000;

/** `{"tasks":[…],"entries":[…]}` → records. A body of another shape is refused whole. */
export function recordsFromJson(body: unknown): IngestRecord[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BodyError(
      'The body must be an object {"tasks":[…],"entries":[…]}',
      [{ field: '/', message: 'must be an object' }],
      false,
    );
  }
  const errors: FieldError[] = [];
  const { tasks, entries, ...rest } = body as Record<string, unknown>;
  for (const key of Object.keys(rest))
    errors.push({ field: `/${key}`, message: 'is not a known field; send "tasks" and "entries"' });
  if (tasks !== undefined && !Array.isArray(tasks))
    errors.push({ field: '/tasks', message: 'must be an array' });
  if (entries !== undefined && !Array.isArray(entries))
    errors.push({ field: '/entries', message: 'must be an array' });
  if (tasks === undefined && entries === undefined)
    errors.push({ field: '/entries', message: 'is required (or /tasks)' });
  if (errors.length)
    throw new BodyError(
      'The body does not have the shape {"tasks":[…],"entries":[…]}',
      errors,
      false,
    );
  const t = (tasks as unknown[] | undefined) ?? [];
  const e = (entries as unknown[] | undefined) ?? [];
  if (t.length + e.length > MAX_RECORDS) {
    throw new BodyError(
      `At most ${MAX_RECORDS} records per request`,
      [{ field: '/entries', message: `has more than ${MAX_RECORDS} records` }],
      false,
    );
  }
  return [
    ...t.map((value, index) => ({ kind: 'task' as const, index, value })),
    ...e.map((value, index) => ({ kind: 'entry' as const, index, value })),
  ];
}

const lineDecoder = new TextDecoder();

/** An NDJSON line refused before validation: not an object, or no valid `kind`. */
export interface LineRejection {
  index: number;
  line: number;
  errors: FieldError[];
}

/**
 * NDJSON: one `{"kind":"task"|"entry", …}` per line. A line that is not JSON makes the whole
 * body malformed (nothing is stored); a line of the wrong shape is rejected on its own.
 */
export function recordsFromNdjson(text: string): {
  records: IngestRecord[];
  rejected: LineRejection[];
} {
  const records: IngestRecord[] = [];
  const rejected: LineRejection[] = [];
  eachNdjsonRecord(
    text,
    (r) => records.push(r),
    (r) => rejected.push(r),
  );
  return { records, rejected };
}

/**
 * recordsFromNdjson one line at a time, in line order: each record goes to `onRecord` as it is
 * parsed, so a caller that is done with it before the next line keeps only what it makes of
 * it (a batch of thousands of parsed records would otherwise outlive many young-generation
 * collections, each copying all of them).
 */
export function eachNdjsonRecord(
  body: string | Uint8Array,
  onRecord: (record: IngestRecord) => void,
  onRejected: (rejection: LineRejection) => void,
): void {
  // UTF-8 bytes are decoded a line at a time (a byte 0x0A is always a line feed in UTF-8): a
  // line is a small string, where the whole body decoded at once is one big one, memory mapped
  // for it alone, its every 4 KiB a page fault (~10 µs on a virtual machine). A leading byte
  // order mark goes with trim(), as a decoder would drop it.
  const bytes = typeof body === 'string' ? undefined : body;
  const text = typeof body === 'string' ? body : '';
  const length = bytes ? bytes.length : text.length;
  let index = 0;
  let lineNo = 0;
  let start = 0;
  while (start <= length) {
    let end = bytes ? bytes.indexOf(0x0a, start) : text.indexOf('\n', start);
    if (end === -1) end = length;
    lineNo++;
    const line = (
      bytes ? lineDecoder.decode(bytes.subarray(start, end)) : text.slice(start, end)
    ).trim();
    start = end + 1;
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new BodyError(
        `Line ${lineNo} is not valid JSON: ${(err as Error).message}`,
        [{ field: `line ${lineNo}`, message: 'is not valid JSON' }],
        true,
      );
    }
    if (index >= MAX_RECORDS) {
      throw new BodyError(
        `At most ${MAX_RECORDS} records per request`,
        [{ field: `line ${lineNo}`, message: `is past the limit of ${MAX_RECORDS} records` }],
        false,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      onRejected({
        index,
        line: lineNo,
        errors: [{ field: '/', message: 'must be a JSON object' }],
      });
    } else {
      const { kind, ...value } = parsed as Record<string, unknown>;
      if (kind === 'task' || kind === 'entry') onRecord({ kind, index, line: lineNo, value });
      else
        onRejected({
          index,
          line: lineNo,
          errors: [
            { field: '/kind', message: `must be "task" or "entry", got ${JSON.stringify(kind)}` },
          ],
        });
    }
    index++;
  }
}
