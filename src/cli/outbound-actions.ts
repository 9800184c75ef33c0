import type { Command } from 'commander';
import type { Entry } from '../model/entry.ts';
import { UsageError } from './demo.ts';
import { openClient } from './context.ts';
import { shortTime } from './output.ts';

/** Options given to a sub-command or to its parent (`provlog entries --data d retry X`). */
interface Common {
  json?: boolean;
  url?: string;
  data?: string;
}

/** An id given on the command line: the same bounds as the API's, checked before any call. */
function id(value: string, what: string, max = 200): string {
  const v = value.trim();
  if (v === '' || v.length > max || [...v].some((ch) => ch.charCodeAt(0) < 0x20))
    throw new UsageError(
      `${what} must be 1 to ${max} printable characters, got ${JSON.stringify(value)}`,
    );
  return v;
}

function describeEntry(e: Entry): string {
  const who = e.sourceIdentity?.displayName ?? e.sourceIdentity?.id ?? '';
  return [
    `Entry ${e.changeId}  ${e.status}${e.skipReason ? ` (${e.skipReason})` : ''}  ${e.action} ${e.objectType} ${who}`,
    `  ${shortTime(e.time)} · attempt ${e.attempt ?? 1}${e.maxAttempts ? ` of ${e.maxAttempts}` : ''} · operation ${e.operationId}`,
    ...(e.errorCode
      ? [`  error ${e.errorCode}: ${e.reason ?? ''}`]
      : e.reason
        ? [`  ${e.reason}`]
        : []),
    ...(e.retryAt ? [`  next attempt due ${shortTime(e.retryAt)}`] : []),
    ...(e.steps ?? []).map((s) => `  ${s.name}: ${s.status} — ${s.description ?? ''}`),
    ...(e.modifiedProperties ?? []).map(
      (p) => `  ${p.name}: ${String(p.oldValue ?? '∅')} → ${String(p.newValue ?? '∅')}`,
    ),
    ...(e.request ? [`  request ${e.request.method} ${e.request.url}`] : []),
    '',
  ].join('\n');
}

async function withClient<T>(
  opts: Common,
  fn: (client: Awaited<ReturnType<typeof openClient>>['client']) => Promise<T>,
  print: (value: T) => string,
): Promise<void> {
  const ctx = await openClient({ url: opts.url, data: opts.data });
  try {
    const value = await fn(ctx.client);
    process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : print(value));
  } finally {
    await ctx.close();
  }
}

const common = (cmd: Command) =>
  cmd
    .option('--json', 'JSON output for scripts')
    .option('--url <url>', 'a running provlog (default: the local data folder)')
    .option('--data <dir>', 'data folder of the local store');

/** `provlog entries retry|confirm`: operators' actions on a failed entry. */
export function registerEntryActions(entries: Command): void {
  common(
    entries
      .command('retry')
      .description('retry a failed entry now (matching first: nothing is created twice)')
      .argument('<changeId>', 'the failed entry (the latest attempt of its operation)'),
  ).action(async (changeId: string, _opts: Common, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Common>();
    const ch = id(changeId, 'CHANGEID');
    await withClient(opts, (c) => c.retryEntry(ch), describeEntry);
  });
  common(
    entries
      .command('confirm')
      .description('confirm a failed entry was done by hand in the target: it counts as resolved')
      .argument('<changeId>', 'the failed entry (the latest attempt of its operation)')
      .option('--actor <name>', 'who confirms (recorded in the log)'),
  ).action(async (changeId: string, _opts: Common, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Common & { actor?: string }>();
    const ch = id(changeId, 'CHANGEID');
    const actor = opts.actor === undefined ? undefined : { id: id(opts.actor, '--actor') };
    await withClient(opts, (c) => c.confirmEntry(ch, actor), describeEntry);
  });
}

/** `provlog tasks retrigger`: a task's work again, as a new linked task. */
export function registerTaskActions(tasks: Command): void {
  common(
    tasks
      .command('retrigger')
      .description("run a task's work again as a new task linked to it, and wait for it to end")
      .argument('<taskId>', 'the task to run again')
      .option('--no-wait', 'with --url: return once the new task has started'),
  ).action(async (taskId: string, _opts: Common, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Common & { wait: boolean }>();
    const t = id(taskId, 'TASKID');
    const ctx = await openClient({ url: opts.url, data: opts.data });
    try {
      const { taskId: started } = await ctx.client.retriggerTask(t);
      // On the local store the work runs in this process: it must end before the store closes.
      let task = await ctx.client.getTask(started);
      while (task.status === 'running' && (opts.wait || !ctx.remote)) {
        await new Promise((r) => setTimeout(r, 200));
        task = await ctx.client.getTask(started);
      }
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(task)}\n`
          : `Task ${task.id} (re-triggers ${t}): ${task.status}  ${task.statusDescription}\n  entries: provlog entries --task-id ${task.id}\n`,
      );
    } finally {
      await ctx.close();
    }
  });
}

/** `provlog jobs provision`: one hub object through an outbound job now. */
export function registerJobActions(jobs: Command): void {
  common(
    jobs
      .command('provision')
      .description(
        'push one hub user (id or userName) or group (id or displayName) through an outbound job now',
      )
      .argument('<job>', 'the job id')
      .argument('<object>', 'hub user id or userName, or group id or displayName')
      .option('--dry-run', 'show what would be sent; send nothing, change nothing'),
  ).action(async (job: string, object: string, _opts: Common, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Common & { dryRun?: boolean }>();
    const j = id(job, 'JOB');
    const o = id(object, 'OBJECT', 320);
    await withClient(
      opts,
      (c) => c.provisionOnDemand(j, o, { dryRun: opts.dryRun === true }),
      describeEntry,
    );
  });
}
