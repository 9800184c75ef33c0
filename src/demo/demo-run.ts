import { DAY, HOUR, MIN, WEEK, firstAt, weekday } from './calendar.ts';
import type { DemoBatch, DemoOptions } from './demo-history.ts';
import {
  APPS,
  ATLASSIAN,
  FEISHU,
  GITHUB,
  GOOGLE,
  SALESFORCE,
  SERVICENOW,
  SLACK,
  ZOOM,
} from './demo-systems.ts';
import { FIXED_COMBOS } from './people.ts';
import { RunChanges } from './run-changes.ts';

const BATCH = 5000;

/** A whole run: plans each hour of the history and yields it in batches. */
export class DemoRun extends RunChanges {
  constructor(opts: DemoOptions) {
    super(opts);
    this.planScripted();
  }

  *run(): Generator<DemoBatch> {
    const slots = this.weights.length;
    for (let k = 0; k < slots; k++) {
      const s0 = this.start + k * HOUR;
      const s1 = k === slots - 1 ? this.now + 1 : s0 + HOUR;
      this.plan(s0, s1, (this.weights[k] ?? 0) / this.weightTotal);
      this.flush(k, s1);
      if (this.outEntries.length >= BATCH) {
        const all = this.outEntries;
        let i = 0;
        for (; all.length - i >= BATCH; i += BATCH) {
          const tasks = this.outTasks;
          this.outTasks = [];
          yield { tasks, entries: all.slice(i, i + BATCH) };
        }
        this.outEntries = all.slice(i);
      }
    }
    if (this.outEntries.length > 0 || this.outTasks.length > 0) {
      yield { tasks: this.outTasks, entries: this.outEntries };
    }
  }

  // --- what happens in one hour -------------------------------------------------------

  protected plan(s0: number, s1: number, share: number): void {
    const rng = this.rng;
    for (let t = firstAt(4 * HOUR, 15 * MIN, s0); t < s1; t += 4 * HOUR) {
      this.ldapImport(
        t + rng.int(20_000),
        new Date(t).getUTCHours() === 0 ? 'full' : 'incremental',
      );
    }
    for (let t = firstAt(DAY, 5 * HOUR + 30 * MIN, s0); t < s1; t += DAY) {
      if (weekday(t)) this.workdayCsv(t + rng.int(90_000), false, this.rng.chance(1 / 15));
    }
    for (let t = firstAt(WEEK, 4 * DAY + 6 * HOUR, s0); t < s1; t += WEEK)
      this.groupCsv(t + rng.int(60_000));
    APPS.forEach((app, i) => {
      for (let t = firstAt(WEEK, 3 * DAY + HOUR + i * 45 * MIN, s0); t < s1; t += WEEK) {
        this.fullSync(app, t + rng.int(30_000), { mode: 'full' });
      }
    });
    for (let t = firstAt(DAY, 8 * HOUR, s0); t < s1; t += DAY) {
      if (!weekday(t)) continue;
      const n = rng.range(0, 3);
      for (let i = 0; i < n; i++) this.accountSync(t + rng.int(9 * HOUR));
      if (rng.chance(0.25)) this.workdayCsv(t + rng.int(8 * HOUR), true, false);
    }
    const len = s1 - s0;
    this.acc.out += this.outEvents * share;
    for (; this.acc.out >= 1; this.acc.out--) this.outboundEvent(s0 + rng.int(len));
    this.acc.inb += this.inEvents * share;
    for (; this.acc.inb >= 1; this.acc.inb--) this.inboundChange(s0 + rng.int(len));
    this.acc.iam += this.iamEvents * share;
    for (; this.acc.iam >= 1; this.acc.iam--) this.iamEvent(s0 + rng.int(len));
    while (this.scripted.length > 0 && this.scripted[0]!.t < s1) this.scripted.shift()!.run();
  }

  // --- what every demo shows, whatever the seed and size -----------------------------

  protected planScripted(): void {
    const at = (f: number) => this.start + Math.floor(this.span * f);
    const near = (ms: number) => Math.max(this.start, this.now - ms);
    const add = (t: number, run: () => void) => this.scripted.push({ t, run });
    const fixed = (i: number) => this.person(i);
    add(at(0.05), () =>
      this.fullSync(ZOOM, at(0.05), {
        mode: 'initial',
        manual: true,
        // Bounded: a task's entries are held until they are due, so no task may be huge.
        count: Math.max(40, Math.min(50_000, Math.round(this.target * 0.04))),
      }),
    );
    add(at(0.12), () => this.workdayCsv(at(0.12), true, true));
    add(at(0.18), () =>
      this.ldapImport(at(0.18), 'incremental', { manual: true, bindFails: true }),
    );
    add(at(0.22), () => this.groupCsv(at(0.22), true));
    add(at(0.3), () => {
      const orphan = this.fullSync(SERVICENOW, at(0.3), { mode: 'full', count: 60, orphanAt: 20 });
      if (orphan)
        this.fullSync(SERVICENOW, at(0.3) + 40 * MIN, {
          mode: 'full',
          manual: true,
          count: 40,
          parentTaskId: orphan.task.id,
        });
    });
    add(at(0.45), () => {
      const initial = this.fullSync(SALESFORCE, at(0.45), {
        mode: 'full',
        manual: true,
        initial: true,
      });
      if (initial)
        this.fullSync(SALESFORCE, at(0.45) + 25 * MIN, {
          mode: 'full',
          manual: true,
          count: 30,
          parentTaskId: initial.task.id,
        });
    });
    add(at(0.5), () => this.ldapImport(at(0.5), 'full', { manual: true, staged: 30 }));
    add(at(0.55), () => {
      this.outboundEvent(at(0.55), fixed(0), 'hire', 'EntryConflict', 'confirm');
      this.outboundEvent(at(0.55) + 5 * MIN, fixed(1), 'leave', 'MethodNotAllowed', 'confirm');
      this.iamEvent(at(0.55) + 9 * MIN, 'global_policy', {
        p: fixed(3),
        app: FEISHU,
        code: 'NotPermitted',
        follow: 'confirm',
      });
      this.outboundEvent(at(0.55) + 15 * MIN, fixed(2), 'attr', 'MandatoryFieldsMissing', 'retry');
    });
    add(at(0.6), () => this.outboundEvent(at(0.6), fixed(4), 'attr', 'TooManyRequests', 'auto'));
    add(at(0.65), () =>
      this.fullSync(ATLASSIAN, at(0.65), {
        mode: 'full',
        manual: true,
        count: 24,
        forceFailures: 4,
      }),
    );
    add(at(0.7), () => {
      this.iamEvent(at(0.7), 'access_request', { p: fixed(1), app: FEISHU });
      this.iamEvent(at(0.7) + 2 * MIN, 'app_account_policy', { p: fixed(2), app: GOOGLE });
      this.outboundEvent(at(0.7) + 4 * MIN, fixed(3), 'password');
      this.outboundEvent(at(0.7) + 6 * MIN, fixed(0), 'rehire');
      this.outboundEvent(at(0.7) + 8 * MIN, fixed(4), 'org');
      this.outboundEvent(at(0.7) + 10 * MIN, fixed(1), 'role');
      const c = this.singleCtx(FEISHU, at(0.7) + 12 * MIN);
      const s = this.userSubject(fixed(3), FEISHU);
      const op = this.add(
        c,
        at(0.7) + 12 * MIN,
        this.entry(c, at(0.7) + 12 * MIN, s, 'update', 'pending', {
          mods: this.userMods(fixed(3), 'update'),
        }),
      );
      this.callback(c, at(0.7) + 12 * MIN, s, 'update', op, true);
    });
    for (let i = 0; i < FIXED_COMBOS.length; i++) {
      for (let k = 0; k < 4; k++)
        add(at(0.1 + 0.2 * k + i * 0.01), () =>
          this.outboundEvent(at(0.1 + 0.2 * k + i * 0.01), fixed(i)),
        );
    }
    // The last minutes: a sync still running, a failure still retrying, a callback still awaited.
    add(near(4.5 * MIN), () =>
      this.fullSync(GITHUB, near(4.5 * MIN), {
        mode: 'full',
        count: Math.max(30, Math.round(this.perFullSync / 2)),
        minDuration: 9 * MIN,
      }),
    );
    add(near(3 * MIN), () =>
      this.iamEvent(near(3 * MIN), 'access_request', {
        p: fixed(0),
        app: SALESFORCE,
        pending: true,
      }),
    );
    add(near(25_000), () => {
      const c = this.singleCtx(SLACK, near(25_000));
      this.outbound(
        c,
        near(25_000),
        this.userSubject(fixed(2), SLACK),
        'update',
        this.userMods(fixed(2), 'update'),
        { pFail: 1, code: 'TooManyRequests' },
      );
    });
    add(near(8000), () => this.outboundEvent(near(8000), fixed(3), 'attr', undefined, undefined));
    this.scripted.sort((a, b) => a.t - b.t);
  }
}
