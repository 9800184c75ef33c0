import type { Command } from 'commander';
import { loadConfig, parsePort, type Config } from '../config.ts';
import { createOutbound, createRunner, createServer, openStore } from '../main.ts';
import { OutboundWorker } from '../engine/outbound/outbound-worker.ts';
import { closeOrphanedTasks } from '../engine/recover-orphans.ts';
import { Scheduler } from '../engine/scheduler.ts';
import { loadDemo } from '../ingest/load-demo.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the console on one port')
    .option('--host <host>', 'address to listen on (PROVLOG_HOST)')
    .option('--port <port>', 'port (PROVLOG_PORT)')
    .option('--data <dir>', 'data folder of the embedded store (PROVLOG_DATA_DIR)')
    .option('--demo', 'load demo history first if the store is empty')
    .action(async (opts: { host?: string; port?: string; data?: string; demo?: boolean }) => {
      const overrides: Partial<Config> = {};
      if (opts.host) overrides.host = opts.host;
      if (opts.port) overrides.port = parsePort(opts.port, '--port');
      if (opts.data) overrides.dataDir = opts.data;
      const config = loadConfig(process.env, overrides);
      const store = await openStore(config);
      if (opts.demo) {
        const empty =
          (await store.listTasks({}, { limit: 1 })).items.length === 0 &&
          (await store.listEntries({}, { limit: 1 })).items.length === 0;
        if (empty) {
          process.stderr.write('Loading demo history (once)…\n');
          const r = await loadDemo(store, { now: Date.now(), days: 30, seed: 1, entries: 20_000 });
          process.stderr.write(`Demo history: ${r.entries} entries in ${r.tasks} tasks.\n`);
        }
      }
      const outbound = createOutbound(store);
      const runner = createRunner(store, outbound);
      const app = await createServer(config, store, outbound, runner);
      // Tasks a crash left running are closed first; then schedules start.
      const orphans = await closeOrphanedTasks({ log: store, jobs: store.config });
      if (orphans.length)
        app.log.warn({ tasks: orphans }, 'closed tasks left running by an earlier stop');
      const scheduler = new Scheduler({ jobs: store.config, runner, log: app.log });
      await scheduler.reload();
      // Pending retries and pushes live in the store: the worker resumes them after a restart.
      const worker = new OutboundWorker(outbound, {
        onError: (what, err) => app.log.warn({ err }, `outbound ${what} failed`),
      });
      worker.start();
      const reload = setInterval(
        () =>
          void scheduler
            .reload()
            .catch((err: unknown) => app.log.warn({ err }, 'schedule reload failed')),
        30_000,
      );
      const shutdown = async () => {
        clearInterval(reload);
        worker.stop();
        scheduler.stop();
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
      const address = await app.listen({ host: config.host, port: config.port });
      process.stderr.write(`provlog is serving the console and API on ${address}\n`);
      if (store instanceof SqliteLogStore) {
        void store.warmUp().catch((err: unknown) => app.log.warn({ err }, 'warm-up failed'));
      }
      await new Promise(() => {});
    });
}
