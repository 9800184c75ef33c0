import { Worker } from 'node:worker_threads';
import type { CsvRow, CsvSourceOptions } from './csv-source.ts';
import { unpackRows, type PackedRows } from './packed-rows.ts';

export type ReaderMessage = { rows: PackedRows; done?: boolean } | { failed: string };

/** Rows per batch the reader thread sends, and batches it may send ahead of the consumer. */
const BATCH_ROWS = 1000;
const CREDIT = 3;

/**
 * `readRows` on a thread of its own: parsing and checking a big file's rows (about a tenth of
 * an import's time on the main thread) runs beside the import that consumes them. The rows
 * are the same, in the same order; the thread stops when the consumer stops early. A thread
 * that fails ends the rows with the CsvUnreadable row that an I/O error gives.
 */
export async function* readRowsThreaded(
  opts: CsvSourceOptions,
  delimiter: string,
  headers: string[],
): AsyncGenerator<CsvRow> {
  const worker = new Worker(new URL('./csv-reader-worker.js', import.meta.url), {
    workerData: { opts, delimiter, headers, batchRows: BATCH_ROWS, credit: CREDIT },
  });
  const queue: Array<ReaderMessage | { crashed: string }> = [];
  let wake: (() => void) | undefined;
  const arrive = (m: ReaderMessage | { crashed: string }) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', arrive);
  worker.on('error', (err) => arrive({ crashed: err.message }));
  worker.on('exit', (code) => arrive({ crashed: `the CSV reader stopped (exit code ${code})` }));
  let lastLine = 1;
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = queue.shift()!;
      if ('crashed' in m || 'failed' in m) {
        const message = 'crashed' in m ? m.crashed : m.failed;
        yield {
          kind: 'row_error',
          line: lastLine,
          code: 'CsvUnreadable',
          reason: `Reading '${opts.path}' stopped after line ${lastLine}: ${message}`,
        };
        return;
      }
      if (!m.done) worker.postMessage(1);
      for (const row of unpackRows(m.rows, headers)) {
        lastLine = row.line;
        yield row;
      }
      if (m.done) return;
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
