import type { Command } from 'commander';
import { resolve } from 'node:path';
import { JobRunError } from '../engine/job-runner.ts';
import { createRunner } from '../main.ts';
import type { Task } from '../model/task.ts';
import type { ProvlogStore } from '../main.ts';
import { UsageError } from './demo.ts';
import { withStore } from './context.ts';
import { table } from './output.ts';

async function runAndReport(
  store: ProvlogStore,
  jobId: string,
  file: string | undefined,
  json: boolean,
  mode?: 'full' | 'incremental',
): Promise<number> {
  const runner = createRunner(store);
  let started;
  try {
    started = await runner.start({
      jobId,
      ...(file ? { file: resolve(file) } : {}),
      ...(mode ? { mode } : {}),
      triggerMethod: 'manual',
      trigger: 'manual_operation',
    });
  } catch (err) {
    if (err instanceof JobRunError) throw new UsageError(err.message);
    throw err;
  }
  const task: Task = await started.done;
  const failures = (
    await store.listEntries({ taskId: [task.id], status: ['failure'] }, { limit: 50 })
  ).items;
  if (json) {
    process.stdout.write(`${JSON.stringify({ task, failures })}\n`);
  } else {
    const c = task.counts;
    process.stdout.write(
      `Task ${task.id}: ${task.status} (${task.event ?? ''})\n  ${task.statusDescription}\n` +
        `  processed ${c.processed}: created ${c.created}, updated ${c.updated}, disabled ${c.disabled}, deleted ${c.deleted}, skipped ${c.skipped}, failed ${c.failed}, pending ${c.pending}\n`,
    );
    if (failures.length) {
      process.stdout.write(
        `${table(
          ['Error', 'Reason', 'Source'],
          failures.map((e) => [e.errorCode ?? '', e.reason ?? '', e.sourceIdentity?.id ?? '']),
          80,
        )}\n`,
      );
    }
    process.stdout.write(`Every row: provlog entries --task-id ${task.id}\n`);
  }
  return task.status === 'failed' ? 1 : 0;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import a CSV file through an inbound job: one task, one entry per row')
    .argument('<file>', 'CSV file (UTF-8, header row)')
    .requiredOption('--job <id>', 'the inbound CSV job')
    .option('--data <dir>', 'data folder')
    .option('--json', 'JSON output for scripts')
    .action(async (file: string, opts: { job: string; data?: string; json?: boolean }) => {
      process.exitCode = await withStore(opts.data ? { data: opts.data } : {}, (store) =>
        runAndReport(store, opts.job, file, !!opts.json),
      );
    });
  program
    .command('run')
    .description(
      "run a job now (CSV jobs read their system's settings.path; LDAP jobs read the directory)",
    )
    .argument('<job>', 'job id')
    .option('--full', 'LDAP: read every entry and deprovision what is gone')
    .option('--incremental', 'LDAP: read only what changed since the last good run')
    .option('--data <dir>', 'data folder')
    .option('--json', 'JSON output for scripts')
    .action(
      async (
        job: string,
        opts: { data?: string; json?: boolean; full?: boolean; incremental?: boolean },
      ) => {
        if (opts.full && opts.incremental)
          throw new UsageError('Give --full or --incremental, not both');
        const mode = opts.full ? 'full' : opts.incremental ? 'incremental' : undefined;
        process.exitCode = await withStore(opts.data ? { data: opts.data } : {}, (store) =>
          runAndReport(store, job, undefined, !!opts.json, mode),
        );
      },
    );
}
