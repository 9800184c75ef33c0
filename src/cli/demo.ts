import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadDemo } from '../ingest/load-demo.ts';
import { withStore } from './context.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('fill the local store with realistic provisioning history')
    .option('--entries <n>', 'about how many entries', '20000')
    .option('--days <n>', 'days of history, ending now', '30')
    .option('--seed <n>', 'random seed (same seed, same history)', '1')
    .option('--data <dir>', 'data folder')
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        entries: string;
        days: string;
        seed: string;
        data?: string;
        json?: boolean;
      }) => {
        const entries = Number(opts.entries);
        const days = Number(opts.days);
        const seed = Number(opts.seed);
        if (!Number.isInteger(entries) || entries < 1 || entries > 50_000_000)
          throw new UsageError('--entries must be a whole number from 1 to 50000000');
        if (!Number.isInteger(days) || days < 1 || days > 3650)
          throw new UsageError('--days must be a whole number from 1 to 3650');
        if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
        await withStore({ ...(opts.data ? { data: opts.data } : {}) }, async (store, config) => {
          const bar =
            opts.json || !process.stderr.isTTY
              ? undefined
              : new SingleBar(
                  {
                    format: 'demo history [{bar}] {value}/{total} entries',
                    stream: process.stderr,
                  },
                  Presets.shades_classic,
                );
          bar?.start(entries, 0);
          const t0 = performance.now();
          const result = await loadDemo(store, { now: Date.now(), days, seed, entries }, (done) =>
            bar?.update(Math.min(done, entries)),
          );
          bar?.stop();
          const seconds = (performance.now() - t0) / 1000;
          if (opts.json)
            process.stdout.write(
              `${JSON.stringify({ ...result, seconds, dataDir: config.dataDir })}\n`,
            );
          else
            process.stdout.write(
              `Stored ${result.entries} entries in ${result.tasks} tasks (${result.duplicates} already present) in ${seconds.toFixed(1)} s under ${config.dataDir}\n`,
            );
        });
      },
    );
}

export class UsageError extends Error {}
