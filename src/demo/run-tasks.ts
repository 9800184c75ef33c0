import type { ModifiedProperty } from '../model/entry.ts';
import type { Action, ObjectType } from '../model/enums.ts';
import type { TaskInput } from '../model/task.ts';
import { HOUR, MIN, ldapTime } from './calendar.ts';
import { LDAP } from './demo-systems.ts';
import { LDAP_ACTIONS, LDAP_ACTION_WEIGHTS, LDAP_OUT_OF_SCOPE } from './event-weights.ts';
import type { FailKind, Subject } from './failure-catalog.ts';
import { LDAP_FAILURES } from './failure-catalog.ts';
import { LDAP_BASE } from './payload-constants.ts';
import { ADMINS } from './people.ts';
import { ulidAt } from './prng.ts';
import { RunFollowUps } from './run-follow-ups.ts';
import type { Ctx, TaskRun, TaskSpec } from './run-types.ts';

/** Tasks: running one, retriggering its failures, and the inbound LDAP import. */
export abstract class RunTasks extends RunFollowUps {
  // --- tasks ------------------------------------------------------------------------

  protected runTask(
    spec: TaskSpec,
    body: (c: Ctx, run: TaskRun) => void,
    finish?: (run: TaskRun) => Partial<TaskInput>,
  ): TaskRun | undefined {
    const rng = this.rng;
    if (spec.start > this.now) return undefined;
    const sys = spec.sys;
    const inbound = sys.kind === 'identity_provider';
    const task: TaskInput = {
      id: ulidAt(spec.start, rng),
      ...(spec.jobless ? {} : { jobId: sys.jobId }),
      cycleId: rng.uuid(),
      ...(spec.parentTaskId ? { parentTaskId: spec.parentTaskId } : {}),
      direction: inbound ? 'inbound' : 'outbound',
      triggerModule: spec.module ?? (inbound ? 'identity_provider' : 'application'),
      triggerModuleName: spec.moduleName ?? sys.name,
      triggerMethod: spec.method,
      source: spec.source,
      startedAt: new Date(spec.start).toISOString(),
      parameters: spec.parameters,
    };
    if (spec.event) task.event = spec.event;
    const count = Math.max(1, spec.count);
    const gap = Math.max(Math.min(250, (25 * MIN) / count), (spec.minDuration ?? 0) / count);
    const run: TaskRun = {
      task,
      entries: [],
      times: [],
      later: [],
      laterTimes: [],
      clock: spec.start + rng.range(300, 2000),
      gap,
      maxT: spec.start,
      failed: 0,
      processed: 0,
      retrigger: [],
    };
    const c: Ctx = {
      taskId: task.id,
      jobId: task.jobId ?? '',
      cycleId: task.cycleId!,
      direction: task.direction,
      module: task.triggerModule,
      moduleName: task.triggerModuleName,
      method: task.triggerMethod,
      source: spec.source,
      sys,
      actor: spec.method === 'manual' ? this.admin() : undefined,
      run,
      ...(typeof spec.parameters.fileName === 'string' ? { file: spec.parameters.fileName } : {}),
    };
    body(c, run);
    Object.assign(task, finish?.(run) ?? {});
    const end = Math.max(run.maxT, run.clock) + rng.range(200, 3000);
    const running = end > this.now;
    if (!running && task.status !== 'initial') task.endedAt = new Date(end).toISOString();
    this.pendingTasks.push({ t: spec.start, task });
    for (let i = 0; i < run.entries.length; i++) this.due(run.times[i]!, run.entries[i]!);
    for (let i = 0; i < run.later.length; i++) this.due(run.laterTimes[i]!, run.later[i]!);
    if (!running && run.retrigger.length > 0) this.retrigger(run, end);
    return run;
  }

  protected tick(run: TaskRun): number {
    run.clock += Math.max(1, Math.round(run.gap * (0.4 + this.rng.next() * 1.2)));
    run.processed++;
    return run.clock;
  }

  /** An operator re-runs the failed part of a task a little later; the new task points to it. */
  protected retrigger(parent: TaskRun, parentEnd: number): void {
    const rng = this.rng;
    const items = parent.retrigger;
    const first = items[0]!;
    this.runTask(
      {
        start: parentEnd + rng.range(10 * MIN, 2 * HOUR),
        sys: first.c.sys,
        method: 'manual',
        source: 're_trigger',
        parameters: {
          retriggeredFrom: parent.task.id,
          scope: 'failed_only',
          objects: items.length,
        },
        parentTaskId: parent.task.id,
        event: parent.task.event ?? 'account_provisioning',
        count: items.length,
      },
      (c, run) => {
        for (const it of items) {
          const t = this.tick(run);
          const stillFails = rng.chance(0.12);
          if (stillFails) {
            this.put(
              c,
              t,
              this.entry(c, t, it.s, it.action, 'failure', {
                op: it.op,
                kind: it.kind,
                reason: this.reasonFor(it.kind, c, it.s, 0, 0),
                attempt: it.attempt + 1,
              }),
            );
          } else {
            const mods =
              it.s.person && it.s.type === 'user'
                ? this.userMods(it.s.person, it.action)
                : undefined;
            this.put(
              c,
              t,
              this.entry(c, t, it.s, it.action, 'success', {
                op: it.op,
                attempt: it.attempt + 1,
                mods,
              }),
            );
          }
        }
      },
    );
  }

  protected ldapImport(
    t: number,
    mode: 'full' | 'incremental',
    o: { manual?: boolean; bindFails?: boolean; staged?: number } = {},
  ): void {
    const rng = this.rng;
    const since = this.lastLdap || t - 4 * HOUR;
    this.lastLdap = t;
    const parameters: Record<string, unknown> = {
      mode,
      baseDn: `ou=People,${LDAP_BASE}`,
      filter:
        mode === 'full'
          ? '(objectClass=inetOrgPerson)'
          : `(&(objectClass=inetOrgPerson)(modifyTimestamp>=${ldapTime(since)}))`,
      pageSize: 500,
      deletionThreshold: 25,
    };
    const bindFails = o.bindFails ?? rng.chance(1 / 80);
    const spec: TaskSpec = {
      start: t,
      sys: LDAP,
      method: o.manual ? 'manual' : 'automatic',
      source: o.manual ? 'manual_operation' : 'scheduled_sync',
      parameters,
      event: bindFails ? 'sync_error' : 'account_synchronization',
      count: bindFails
        ? 1
        : Math.round(this.perLdap * (mode === 'full' ? 1.6 : 0.9) * (0.6 + rng.next() * 0.8)),
    };
    if (bindFails) {
      this.runTask(
        spec,
        () => {},
        () => ({
          errorCode: 'LdapBindFailed',
          reason: `Bind as cn=provlog-sync,ou=Service Accounts,${LDAP_BASE} was refused: invalid credentials (LDAP result 49); the service account's password has expired`,
        }),
      );
      return;
    }
    const staged = o.staged ?? (mode === 'full' && rng.chance(1 / 25) ? rng.range(26, 40) : 0);
    this.runTask(spec, (c, run) => {
      for (let i = 0; i < spec.count; i++) {
        const t1 = this.tick(run);
        const p = this.randomPerson();
        const r = rng.next();
        if (r < 0.07) {
          const g = rng.chance(0.75)
            ? this.groups[rng.int(this.groups.length)]!
            : this.orgs[rng.int(this.orgs.length)]!;
          const type: ObjectType = this.groups.includes(g) ? 'group' : 'organization';
          const s = this.namedSubject(type, g, LDAP);
          if (rng.chance(0.3)) this.skip(c, t1, s, 'update', 'no_change', undefined);
          else
            this.inbound(
              c,
              t1,
              s,
              type === 'group' && rng.chance(0.96)
                ? 'update'
                : rng.pick(['update', 'create'] as const),
              type === 'group'
                ? this.memberMods(p, rng.chance(0.7))
                : [{ name: 'description', oldValue: null, newValue: `${s.name} department` }],
              LDAP_FAILURES,
              0.01,
            );
          continue;
        }
        const s = this.userSubject(p, LDAP);
        if (r < 0.07 + (mode === 'full' ? 0.4 : 0.15))
          this.skip(c, t1, s, 'update', 'no_change', undefined);
        else if (r < 0.3 + (mode === 'full' ? 0.3 : 0)) {
          this.skip(c, t1, s, 'update', 'out_of_scope', rng.pick(LDAP_OUT_OF_SCOPE));
        } else {
          const action: Action = rng.weighted(LDAP_ACTIONS, LDAP_ACTION_WEIGHTS, 98);
          this.inbound(
            c,
            t1,
            s,
            action,
            action === 'delete' ? undefined : this.userMods(p, action),
            LDAP_FAILURES,
            0.035,
          );
        }
      }
      // Deletion protection: too many deletions in one cycle are held for an operator.
      for (let i = 0; i < staged; i++) {
        const t1 = this.tick(run);
        const p = this.randomPerson();
        const s = this.userSubject(p, LDAP);
        const op = this.add(
          c,
          t1,
          this.entry(c, t1, s, 'staged_delete', 'skipped', {
            skip: 'needs_action',
            code: 'DeletionThresholdExceeded',
            reason: `Held by deletion protection: this cycle would delete ${staged} users, more than the job's threshold of 25. Approve the deletions or fix the source.`,
          }),
        );
        const approved = run.clock + 2 * HOUR + rng.int(20 * MIN);
        const ctx: Ctx = {
          ...c,
          taskId: null,
          cycleId: this.cycleOf(LDAP, run.clock),
          method: 'manual',
          source: 'manual_operation',
          actor: ADMINS[0],
        };
        this.put(
          ctx,
          approved + i * 300,
          this.entry(ctx, approved + i * 300, s, 'delete', 'success', { op, reason: undefined }),
          true,
        );
      }
    });
  }

  /** One change read from an identity provider into the hub. */
  protected inbound(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    list: readonly FailKind[],
    pFail: number,
    row = 0,
    code?: string,
  ): void {
    if (code !== undefined || this.rng.chance(pFail)) {
      const kind = code ? list.find((k) => k.code === code) : this.pickFailure(c.sys, action, list);
      if (kind) {
        this.failure(c, t, s, action, mods, kind, undefined, 1, 'none', undefined, undefined, row);
        return;
      }
    }
    this.put(c, t, this.entry(c, t, s, action, 'success', { mods, row, call: false }));
  }
}
