import { parentPort, workerData } from 'node:worker_threads';
import { readRows, type CsvSourceOptions } from './csv-source.ts';
import { PackedRowsBuilder } from './packed-rows.ts';
import type { ReaderMessage } from './threaded-rows.ts';

/**
 * A CSV file's rows read and checked on a thread of their own (threaded-rows.ts), sent a
 * batch at a time; at most `credit` batches are ahead of what the reader has taken.
 */
const { opts, delimiter, headers, batchRows, credit } = workerData as {
  opts: CsvSourceOptions;
  delimiter: string;
  headers: string[];
  batchRows: number;
  credit: number;
};
let ahead = 0;
let wake: (() => void) | undefined;
parentPort!.on('message', () => {
  ahead--;
  wake?.();
  wake = undefined;
});
const post = async (msg: ReaderMessage) => {
  parentPort!.postMessage(msg);
  ahead++;
  while (ahead >= credit) await new Promise<void>((resolve) => (wake = resolve));
};

const builder = new PackedRowsBuilder(headers);
try {
  for await (const row of readRows(opts, delimiter, headers)) {
    builder.push(row);
    if (builder.count >= batchRows) await post({ rows: builder.take() });
  }
  parentPort!.postMessage({ rows: builder.take(), done: true } satisfies ReaderMessage);
} catch (err) {
  parentPort!.postMessage({ failed: (err as Error).message } satisfies ReaderMessage);
}
