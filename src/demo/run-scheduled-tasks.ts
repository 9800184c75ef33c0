import type { Action } from '../model/enums.ts';
import { MIN } from './calendar.ts';
import type { DemoSystem } from './demo-systems.ts';
import { WORKDAY } from './demo-systems.ts';
import {
  CSV_ACTIONS,
  CSV_ACTION_WEIGHTS,
  CSV_OUT_OF_SCOPE,
  SYNC_ACTION_WEIGHTS,
} from './event-weights.ts';
import { CSV_FAILURES } from './failure-catalog.ts';
import { ADMINS } from './people.ts';
import { RunTasks } from './run-tasks.ts';
import type { Ctx, TaskRun, TaskSpec } from './run-types.ts';

/** The scheduled and manual tasks: Workday and group CSV imports, full and account syncs. */
export abstract class RunScheduledTasks extends RunTasks {
  protected workdayCsv(t: number, manual: boolean, unreadable: boolean): void {
    const rng = this.rng;
    const day = new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
    const fileName = manual ? `workers_corrections_${day}.csv` : `workers_${day}.csv`;
    const rows = manual ? rng.range(3, 40) : Math.round(this.perCsv * (0.6 + rng.next() * 0.8));
    const withErrors = !unreadable && rng.chance(manual ? 0.15 : 0.3);
    const parameters = {
      fileName,
      path: WORKDAY.endpoint,
      rows,
      delimiter: ',',
      encoding: 'UTF-8',
      hasHeader: true,
      ...(manual ? { uploadedBy: ADMINS[0]!.displayName } : {}),
    };
    const spec: TaskSpec = {
      start: t,
      sys: WORKDAY,
      method: manual ? 'manual' : 'automatic',
      source: manual ? 'manual_operation' : 'scheduled_sync',
      parameters,
      count: unreadable ? 1 : rows,
    };
    if (unreadable) {
      this.runTask(
        { ...spec, event: 'user_csv_failed' },
        () => {},
        () => ({
          errorCode: 'CsvUnreadable',
          reason: rng.chance(0.5)
            ? `'${fileName}' could not be read: it is a ZIP archive (an Excel workbook?), not a CSV file`
            : `'${fileName}' could not be read: the file is empty (0 bytes); the HR export probably failed`,
        }),
      );
      return;
    }
    const errorRows = withErrors ? Math.min(rows, rng.range(1, 8)) : 0;
    this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < rows; i++) {
          const t1 = this.tick(run);
          const p = this.randomPerson();
          const s = this.userSubject(p, WORKDAY);
          const row = i + 2;
          if (errorRows > 0 && rng.chance(errorRows / rows)) {
            this.inbound(
              c,
              t1,
              s,
              'update',
              undefined,
              CSV_FAILURES,
              1,
              row,
              rng.chance(0.1) ? 'DuplicateSourceEntries' : undefined,
            );
            continue;
          }
          const r = rng.next();
          if (r < 0.33) this.skip(c, t1, s, 'update', 'no_change', undefined, { row });
          else if (r < 0.39) {
            this.skip(c, t1, s, 'create', 'out_of_scope', rng.pick(CSV_OUT_OF_SCOPE), { row });
          } else {
            const action: Action = rng.weighted(CSV_ACTIONS, CSV_ACTION_WEIGHTS, 97);
            this.inbound(c, t1, s, action, this.userMods(p, action), CSV_FAILURES, 0, row);
          }
        }
      },
      (run) => ({
        event: run.failed > 0 ? 'user_csv_processed_with_errors' : 'user_csv_processed',
      }),
    );
  }

  protected groupCsv(t: number, fails = this.rng.chance(1 / 8)): void {
    const rng = this.rng;
    const fileName = `groups_${new Date(t).toISOString().slice(0, 10).replaceAll('-', '')}.csv`;
    const rows = Math.round(this.perGroupCsv * (0.6 + rng.next() * 0.8));
    const spec: TaskSpec = {
      start: t,
      sys: WORKDAY,
      method: 'automatic',
      source: 'scheduled_sync',
      parameters: {
        fileName,
        path: WORKDAY.endpoint,
        rows,
        delimiter: ',',
        encoding: 'UTF-8',
        hasHeader: true,
        objectType: 'group',
      },
      count: fails ? 1 : rows,
    };
    if (fails) {
      this.runTask(
        { ...spec, event: 'group_csv_failed' },
        () => {},
        () => ({
          errorCode: 'CsvMissingHeader',
          reason: `Required column 'group_name' is missing from the header of '${fileName}'`,
        }),
      );
      return;
    }
    this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < rows; i++) {
          const t1 = this.tick(run);
          const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, WORKDAY);
          const r = rng.next();
          if (r < 0.3) this.skip(c, t1, s, 'update', 'no_change', undefined, { row: i + 2 });
          else if (r < 0.34) {
            this.inbound(c, t1, s, 'update', undefined, CSV_FAILURES, 1, i + 2, 'CsvInvalidValue');
          } else {
            this.inbound(
              c,
              t1,
              s,
              r < 0.4 ? 'create' : 'update',
              this.memberMods(this.randomPerson(), rng.chance(0.75)),
              CSV_FAILURES,
              0,
              i + 2,
            );
          }
        }
      },
      (run) => ({
        event: run.failed > 0 ? 'groups_csv_processed_with_errors' : 'groups_csv_processed',
      }),
    );
  }

  protected fullSync(
    app: DemoSystem,
    t: number,
    o: {
      mode: 'full' | 'initial';
      count?: number;
      manual?: boolean;
      parentTaskId?: string;
      orphanAt?: number;
      initial?: boolean;
      forceFailures?: number;
      minDuration?: number;
    },
  ): TaskRun | undefined {
    const rng = this.rng;
    const count = o.count ?? Math.round(this.perFullSync * (0.6 + rng.next() * 0.8));
    const spec: TaskSpec = {
      start: t,
      sys: app,
      method: o.manual ? 'manual' : 'automatic',
      source: o.parentTaskId ? 're_trigger' : o.manual ? 'manual_operation' : 'scheduled_sync',
      parameters: {
        mode: o.mode,
        objectTypes: app.objectTypes.filter((x) => x === 'user' || x === 'group'),
        scope: 'users and groups assigned to the application',
        dryRun: false,
        ...(o.parentTaskId ? { retriggeredFrom: o.parentTaskId } : {}),
      },
      event: 'account_provisioning',
      count: o.initial ? 0 : count,
      ...(o.parentTaskId ? { parentTaskId: o.parentTaskId } : {}),
      ...(o.minDuration ? { minDuration: o.minDuration } : {}),
    };
    if (o.initial) {
      return this.runTask(
        spec,
        () => {},
        () => ({
          status: 'initial',
          reason:
            'the worker that picked it up was shut down during a deployment before the task started',
        }),
      );
    }
    const n = o.orphanAt ?? count;
    let forced = o.forceFailures ?? 0;
    return this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < n; i++) {
          const t1 = this.tick(run);
          if (app.objectTypes.includes('group') && rng.chance(0.04)) {
            const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, app);
            if (rng.chance(0.6)) this.skip(c, t1, s, 'update', 'no_change', undefined);
            else {
              const member = this.randomPerson();
              this.outbound(c, t1, s, 'update', this.memberMods(member, rng.chance(0.7)), {
                pFail: 0.03,
                member,
              });
            }
            continue;
          }
          const p = this.randomPerson();
          const s = this.userSubject(p, app);
          if (forced > 0 && i % 3 === 1) {
            forced--;
            this.outbound(c, t1, s, 'create', this.userMods(p, 'create'), {
              pFail: 1,
              code: rng.pick(['EntryConflict', 'MandatoryFieldsMissing'] as const),
              follow: 'retrigger',
            });
            continue;
          }
          const assigned = this.isAssigned(p, app);
          const r = rng.next();
          if (!assigned) {
            if (r < 0.9)
              this.skip(
                c,
                t1,
                s,
                'update',
                'out_of_scope',
                'User is not assigned to the application',
              );
            else
              this.outbound(
                c,
                t1,
                s,
                app.deleteOnLeave ? 'delete' : 'disable',
                app.deleteOnLeave ? undefined : this.userMods(p, 'disable'),
                { pFail: 0.06 },
              );
          } else if (o.mode === 'initial') {
            if (r < 0.85)
              this.outbound(c, t1, s, 'create', this.userMods(p, 'create'), { pFail: 0.06 });
            else if (r < 0.97)
              this.outbound(c, t1, s, 'update', this.userMods(p, 'update'), { pFail: 0.03 });
            else this.skip(c, t1, s, 'update', 'no_change', undefined);
          } else if (r < 0.68) this.skip(c, t1, s, 'update', 'no_change', undefined);
          else if (r < 0.685) {
            this.skip(
              c,
              t1,
              s,
              'update',
              'needs_action',
              `An account for '${p.mail}' exists in ${app.name} but is linked to another person in provlog; link it by hand or let provlog create a new one`,
            );
          } else {
            const action: Action = rng.weighted(CSV_ACTIONS, SYNC_ACTION_WEIGHTS, 100);
            this.outbound(c, t1, s, action, this.userMods(p, action), { pFail: 0.045 });
          }
        }
      },
      o.orphanAt !== undefined
        ? (run) => {
            run.clock += 3 * MIN;
            return {
              errorCode: 'TaskOrphaned',
              reason: `provlog restarted while this task was running; ${n} of ${count} objects were processed. Re-trigger it to process the rest.`,
            };
          }
        : undefined,
    );
  }

  /** An administrator pushes one person to the applications they use ("account" trigger module). */
  protected accountSync(t: number, p = this.randomPerson()): void {
    const rng = this.rng;
    const apps = p.apps.slice(0, rng.range(1, 3));
    if (apps.length === 0) return;
    this.runTask(
      {
        start: t,
        sys: apps[0]!,
        module: 'account',
        moduleName: p.name,
        method: 'manual',
        source: 'manual_operation',
        jobless: true,
        parameters: {
          account: p.mail,
          applications: apps.map((a) => a.name),
          objectTypes: ['user'],
        },
        event: 'account_provisioning',
        count: apps.length,
      },
      (c, run) => {
        for (const app of apps) {
          const t1 = this.tick(run) + rng.int(800);
          const ac: Ctx = { ...c, sys: app, jobId: app.jobId };
          const s = this.userSubject(p, app);
          if (rng.chance(0.4)) this.skip(ac, t1, s, 'update', 'no_change', undefined);
          else
            this.outbound(ac, t1, s, 'update', this.userMods(p, 'update'), {
              pFail: 0.04,
              follow: 'none',
            });
        }
      },
    );
  }
}
