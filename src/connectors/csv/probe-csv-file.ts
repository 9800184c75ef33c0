import { open, stat } from 'node:fs/promises';
import type { ErrorCode } from '../../model/error-codes.ts';

/** Names catalog codes; a code missing from the catalog fails to compile. */
export type CatalogCodes<C extends ErrorCode> = C;

/** What a CSV file must be before its rows are read: a readable UTF-8 text file, delimiter known. */
export type CsvProbeResult =
  | {
      ok: true;
      delimiter: string;
      /** The file's size in bytes when probed. */
      bytes: number;
    }
  | {
      ok: false;
      code: CatalogCodes<'CsvUnreadable' | 'CsvMissingHeader' | 'CsvInvalidEncoding'>;
      reason: string;
    };

const PREFIX_BYTES = 64 * 1024;
const CANDIDATE_DELIMITERS = [',', ';', '\t'] as const;

// Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
const FOREIGN_BOMS: ReadonlyArray<{ name: string; bytes: readonly number[] }> = [
  { name: 'UTF-32 (little-endian)', bytes: [0xff, 0xfe, 0x00, 0x00] },
  { name: 'UTF-32 (big-endian)', bytes: [0x00, 0x00, 0xfe, 0xff] },
  { name: 'UTF-16 (little-endian)', bytes: [0xff, 0xfe] },
  { name: 'UTF-16 (big-endian)', bytes: [0xfe, 0xff] },
];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Checks that `path` is a readable, non-empty regular file that is not UTF-16/32, and picks
 * the delimiter (the given one, or the most frequent of `,` `;` tab outside quotes on the
 * first line; `,` when none occurs). Reads at most the first 64 KiB.
 */
export async function probeCsvFile(path: string, delimiter?: string): Promise<CsvProbeResult> {
  if (delimiter !== undefined) assertDelimiter(delimiter);
  let prefix: Buffer;
  let bytes: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return unreadable(`'${path}' is a directory, not a CSV file.`);
    // Opening a FIFO or a device could block or never end.
    if (!info.isFile()) return unreadable(`'${path}' is not a regular file.`);
    bytes = info.size;
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(PREFIX_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, PREFIX_BYTES, 0);
      prefix = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return unreadable(describeFsError(path, error));
  }

  if (prefix.length === 0) {
    return {
      ok: false,
      code: 'CsvMissingHeader',
      reason: `'${path}' is empty: it has no header row.`,
    };
  }
  for (const bom of FOREIGN_BOMS) {
    if (startsWith(prefix, bom.bytes)) {
      return invalidEncoding(`'${path}' is encoded as ${bom.name}, not UTF-8.`);
    }
  }
  const text = startsWith(prefix, UTF8_BOM) ? prefix.subarray(UTF8_BOM.length) : prefix;
  const firstLine = firstNonBlankLine(text);
  // NUL bytes in a header are the mark of UTF-16/32 saved without a byte order mark.
  if (firstLine.includes(0)) {
    return invalidEncoding(`'${path}' contains NUL bytes in its header row: it is not UTF-8 text.`);
  }
  return { ok: true, delimiter: delimiter ?? detectDelimiter(firstLine), bytes };
}

function detectDelimiter(line: Buffer): string {
  const counts = new Map<number, number>();
  let quoted = false;
  for (const byte of line) {
    if (byte === 0x22) quoted = !quoted;
    else if (!quoted) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  }
  let best: string = ',';
  let bestCount = 0;
  for (const candidate of CANDIDATE_DELIMITERS) {
    const count = counts.get(candidate.charCodeAt(0)) ?? 0;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

function firstNonBlankLine(text: Buffer): Buffer {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(0x0a, start);
    if (end === -1) end = text.length;
    const line = text.subarray(start, end);
    if (line.some((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d)) return line;
    start = end + 1;
  }
  return text.subarray(0, 0);
}

// Options are validated upstream with the job; a bad one here is a programming error.
function assertDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new RangeError(`CSV delimiter must be one character other than a quote or line break`);
  }
}

function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `'${path}' does not exist.`;
    case 'EACCES':
    case 'EPERM':
      return `provlog is not allowed to read '${path}'.`;
    case 'EISDIR':
      return `'${path}' is a directory, not a CSV file.`;
    default:
      return `'${path}' could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function startsWith(buffer: Buffer, bytes: readonly number[]): boolean {
  return buffer.length >= bytes.length && bytes.every((b, i) => buffer[i] === b);
}

function unreadable(reason: string): CsvProbeResult {
  return { ok: false, code: 'CsvUnreadable', reason };
}

function invalidEncoding(reason: string): CsvProbeResult {
  return { ok: false, code: 'CsvInvalidEncoding', reason };
}
