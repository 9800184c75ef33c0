import { readFileSync } from 'node:fs';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { buildApp } from '../src/api/build-app.ts';
import { ingestRecords, type IngestRecord } from '../src/ingest/ingest-records.ts';
import { cpuSeconds, cpuSpent } from './stats.ts';

/**
 * The measured side of the ingest benchmark, in a process of its own: a real producer or server
 * does not hold the whole sample in its heap, and garbage collection over a heap that does would
 * be charged to provlog. Usage (from bench/ingest-bench.ts):
 *   ingest-child.ts inprocess DB FILE…   ingest NDJSON batch files through ingestRecords
 *   ingest-child.ts serve DB             serve the API on a free loopback port until stdin closes
 */
const [mode, db, ...files] = process.argv.slice(2);
if (!db) throw new Error('usage: ingest-child.ts inprocess|serve DB [FILE…]');
const store = new SqliteLogStore({ file: db, writerThread: process.env.WRITER_THREAD !== '0' });

if (mode === 'inprocess') {
  // The producer has its records ready (parsed before the clock starts), and keeps one batch
  // in flight while it hands over the next, as an engine's writes can.
  const batches: IngestRecord[][] = files.map((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, index) => {
        const { kind, ...value } = JSON.parse(line) as { kind: 'task' | 'entry' };
        return { kind, index, value };
      }),
  );
  let accepted = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const cpu = cpuSeconds();
  const t = performance.now();
  for (let i = 0; i < batches.length; i++) {
    const records = batches[i]!;
    // Handed over: a producer does not keep what it has sent.
    batches[i] = [];
    const stored = ingestRecords(store, records).then((answer) => {
      if (answer.rejected.length) throw new Error(JSON.stringify(answer.rejected[0]));
      accepted += answer.accepted;
    });
    await inFlight;
    inFlight = stored;
  }
  await inFlight;
  const seconds = (performance.now() - t) / 1000;
  const spent = cpuSpent(cpu, cpuSeconds());
  await store.close();
  process.stdout.write(`${JSON.stringify({ seconds, accepted, ...spent })}\n`);
} else if (mode === 'serve') {
  const app = await buildApp({ store });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${address}\n`);
  const stop = () => void app.close().then(() => store.close());
  process.stdin.resume();
  process.stdin.on('end', stop);
  process.on('SIGINT', stop);
} else {
  throw new Error(`unknown mode ${mode}`);
}
