import type { Command } from 'commander';
import type { TaskQuery } from '../client/provlog-client.ts';
import type { Task } from '../model/task.ts';
import { openClient } from './context.ts';
import { registerTaskActions } from './outbound-actions.ts';
import { shortTime, table } from './output.ts';

const TASK_FLAGS: Array<[string, keyof TaskQuery, string]> = [
  ['--from <time>', 'from', 'earliest start (ISO 8601)'],
  ['--to <time>', 'to', 'latest start (ISO 8601)'],
  ['--window <window>', 'window', '24h, 7d, 30d'],
  ['--direction <values>', 'direction', 'inbound, outbound'],
  ['--status <values>', 'status', 'initial, running, succeeded, partially_succeeded, failed'],
  ['--trigger-module <values>', 'triggerModule', 'identity_provider, application, account'],
  ['--job-id <ids>', 'jobId', 'job id'],
];

export function registerTasks(program: Command): void {
  const cmd = program
    .command('tasks')
    .description('list provisioning tasks, newest first; `provlog tasks ID` shows one')
    .argument('[id]', 'one task, with its counts')
    .option('--limit <n>', 'tasks per page (1-1000)', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'JSON output for scripts')
    .option('--url <url>', 'a running provlog (default: the local data folder)')
    .option('--data <dir>', 'data folder of the local store');
  for (const [flag, , help] of TASK_FLAGS) cmd.option(flag, help);
  registerTaskActions(cmd);
  cmd.action(async (id: string | undefined, opts: Record<string, string | boolean | undefined>) => {
    const ctx = await openClient({
      url: opts.url as string | undefined,
      data: opts.data as string | undefined,
    });
    try {
      if (id) {
        const task = await ctx.client.getTask(id);
        if (opts.json) process.stdout.write(`${JSON.stringify(task)}\n`);
        else process.stdout.write(describe(task));
        return;
      }
      const query: TaskQuery = { limit: Number(opts.limit) };
      for (const [, param] of TASK_FLAGS) {
        const value = opts[param];
        if (typeof value === 'string') (query as Record<string, unknown>)[param] = value;
      }
      if (typeof opts.cursor === 'string') query.cursor = opts.cursor;
      const page = await ctx.client.listTasks(query);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(page)}\n`);
        return;
      }
      const rows = page.items.map((t) => [
        t.direction,
        t.triggerModule,
        t.triggerModuleName,
        shortTime(t.startedAt),
        shortTime(t.endedAt),
        t.triggerMethod,
        t.status,
        t.statusDescription,
        t.id,
      ]);
      process.stdout.write(
        `${table(['Direction', 'Trigger module', 'Name', 'Start', 'End', 'Method', 'Status', 'Description', 'Task ID'], rows)}\n`,
      );
      if (page.items.length === 0) process.stdout.write('No tasks match these filters.\n');
      if (page.nextCursor) process.stdout.write(`More: --cursor ${page.nextCursor}\n`);
    } finally {
      await ctx.close();
    }
  });
}

function describe(t: Task): string {
  const c = t.counts;
  return [
    `Task ${t.id}  ${t.status}  ${t.statusDescription}`,
    `  ${t.direction} · ${t.triggerModule} ${t.triggerModuleName} · ${t.triggerMethod}${t.event ? ` · ${t.event}` : ''}`,
    `  started ${shortTime(t.startedAt)}  ended ${shortTime(t.endedAt) || '—'}`,
    `  processed ${c.processed}: created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, disabled ${c.disabled}, skipped ${c.skipped}, failed ${c.failed}, resolved ${c.resolved}, pending ${c.pending}`,
    ...(t.parentTaskId ? [`  re-triggers task ${t.parentTaskId}`] : []),
    ...(t.parameters ? [`  parameters ${JSON.stringify(t.parameters)}`] : []),
    `  entries: provlog entries --task-id ${t.id}`,
    '',
  ].join('\n');
}
