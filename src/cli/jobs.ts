import type { Command } from 'commander';
import { openClient } from './context.ts';
import { registerJobActions } from './outbound-actions.ts';
import { table } from './output.ts';

export function registerJobs(program: Command): void {
  program
    .command('systems')
    .description('list connected systems (secrets are never shown)')
    .option('--json', 'JSON output for scripts')
    .option('--url <url>', 'a running provlog (default: the local data folder)')
    .option('--data <dir>', 'data folder of the local store')
    .action(async (opts: { json?: boolean; url?: string; data?: string }) => {
      const ctx = await openClient(opts);
      try {
        const { items } = await ctx.client.listSystems();
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ items })}\n`);
        const rows = items.map((s) => [
          s.name,
          s.type,
          s.traceLevel,
          s.secretNames.join(', '),
          s.id,
        ]);
        process.stdout.write(
          `${table(['Name', 'Type', 'Trace level', 'Secrets set', 'System ID'], rows)}\n`,
        );
        if (items.length === 0)
          process.stdout.write('No systems yet: POST /api/v1/systems to connect one.\n');
      } finally {
        await ctx.close();
      }
    });
  const jobs = program
    .command('jobs')
    .description('list jobs with their state and schedule')
    .option('--system-id <id>', 'only the jobs of one system')
    .option('--json', 'JSON output for scripts')
    .option('--url <url>', 'a running provlog (default: the local data folder)')
    .option('--data <dir>', 'data folder of the local store')
    .action(async (opts: { systemId?: string; json?: boolean; url?: string; data?: string }) => {
      const ctx = await openClient(opts);
      try {
        const { items } = await ctx.client.listJobs(
          opts.systemId ? { systemId: opts.systemId } : {},
        );
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ items })}\n`);
        const rows = items.map((j) => [
          j.name,
          j.direction,
          j.state,
          j.schedule ?? 'on demand',
          j.deprovision ?? 'none',
          j.id,
        ]);
        process.stdout.write(
          `${table(['Name', 'Direction', 'State', 'Schedule', 'Deprovision', 'Job ID'], rows)}\n`,
        );
        if (items.length === 0)
          process.stdout.write('No jobs yet: POST /api/v1/jobs to create one.\n');
      } finally {
        await ctx.close();
      }
    });
  registerJobActions(jobs);
}
