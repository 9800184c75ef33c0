import type { Command } from 'commander';
import type { EntryQuery } from '../client/provlog-client.ts';
import type { Entry } from '../model/entry.ts';
import { openClient } from './context.ts';
import { registerEntryActions } from './outbound-actions.ts';
import { shortTime, table } from './output.ts';

/** CLI flag → API filter name; the same filters as `GET /api/v1/entries`. */
export const ENTRY_FLAGS: Array<[flag: string, param: keyof EntryQuery, help: string]> = [
  ['--from <time>', 'from', 'earliest time (ISO 8601)'],
  ['--to <time>', 'to', 'latest time (ISO 8601)'],
  ['--window <window>', 'window', '24h, 7d, 30d'],
  ['--direction <values>', 'direction', 'inbound, outbound'],
  ['--status <values>', 'status', 'success, failure, skipped, pending, committed, not_verifiable'],
  [
    '--action <values>',
    'action',
    'create, update, delete, disable, enable, staged_delete, confirm, other',
  ],
  ['--object-type <values>', 'objectType', 'user, group, organization, account, role'],
  ['--skip-reason <values>', 'skipReason', 'out_of_scope, no_change, needs_action'],
  ['--trigger-module <values>', 'triggerModule', 'identity_provider, application, account'],
  ['--trigger-method <values>', 'triggerMethod', 'manual, automatic'],
  ['--source <values>', 'source', 'why it happened, e.g. scheduled_sync, single_change'],
  ['--task-id <ids>', 'taskId', 'task id'],
  ['--job-id <ids>', 'jobId', 'job id'],
  ['--cycle-id <ids>', 'cycleId', 'cycle id'],
  ['--change-id <ids>', 'changeId', 'change id'],
  ['--operation-id <ids>', 'operationId', 'operation id (every attempt of one operation)'],
  ['--source-system <values>', 'sourceSystem', 'source system id or name'],
  ['--target-system <values>', 'targetSystem', 'target system id or name'],
  ['--application <text>', 'application', 'system name contains'],
  ['--identity <text>', 'identity', 'display name or id, source or target'],
  ['--error-code <codes>', 'errorCode', 'error code'],
  ['-q, --q <text>', 'q', 'free text: each word begins a word an entry says'],
];

function identityOf(e: Entry): string {
  const who =
    e.targetIdentity?.displayName ??
    e.sourceIdentity?.displayName ??
    e.sourceIdentity?.id ??
    e.targetIdentity?.id ??
    '';
  return who;
}

export function registerEntries(program: Command): void {
  const cmd = program
    .command('entries')
    .description('list provisioning log entries, newest first (same filters as the API)')
    .option('--limit <n>', 'entries per page (1-1000)', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--all', 'follow every page (with --json: one entry per line)')
    .option('--json', 'JSON output for scripts')
    .option('--url <url>', 'a running provlog (default: the local data folder)')
    .option('--data <dir>', 'data folder of the local store');
  for (const [flag, , help] of ENTRY_FLAGS) cmd.option(flag, help);
  registerEntryActions(cmd);
  cmd.action(async (opts: Record<string, string | boolean | undefined>) => {
    const query: EntryQuery = { limit: Number(opts.limit) };
    for (const [, param] of ENTRY_FLAGS) {
      const value = opts[param];
      if (typeof value === 'string') (query as Record<string, unknown>)[param] = value;
    }
    if (typeof opts.cursor === 'string') query.cursor = opts.cursor;
    const ctx = await openClient({
      url: opts.url as string | undefined,
      data: opts.data as string | undefined,
    });
    try {
      if (opts.all) {
        const rows: string[][] = [];
        for await (const e of ctx.client.entries(query)) {
          if (opts.json) process.stdout.write(`${JSON.stringify(e)}\n`);
          else rows.push(row(e));
        }
        if (!opts.json) process.stdout.write(`${table(HEADERS, rows)}\n${rows.length} entries\n`);
        return;
      }
      const page = await ctx.client.listEntries(query);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(page)}\n`);
        return;
      }
      process.stdout.write(`${table(HEADERS, page.items.map(row))}\n`);
      if (page.items.length === 0) process.stdout.write('No entries match these filters.\n');
      if (page.nextCursor) process.stdout.write(`More: --cursor ${page.nextCursor}\n`);
    } finally {
      await ctx.close();
    }
  });
}

const HEADERS = [
  'Time',
  'Status',
  'Action',
  'Type',
  'Identity',
  'Source',
  'Target',
  'Error',
  'Change ID',
];
const row = (e: Entry) => [
  shortTime(e.time),
  e.state ? `${e.status} (${e.state})` : e.skipReason ? `skipped: ${e.skipReason}` : e.status,
  e.action,
  e.objectType,
  identityOf(e),
  e.sourceSystem?.name ?? '',
  e.targetSystem?.name ?? '',
  e.errorCode ?? '',
  e.changeId,
];
