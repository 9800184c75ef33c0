import type { ModifiedProperty } from '../model/entry.ts';
import type { Action, SkipReason } from '../model/enums.ts';
import { HOUR, MIN } from './calendar.ts';
import type { FailKind, Subject } from './failure-catalog.ts';
import {
  CALLBACK_REJECTED,
  CONFIRMABLE,
  FIXABLE,
  OUTBOUND_FAILURES,
  TYPE_LOWER,
} from './failure-catalog.ts';
import { deepFreeze } from './freeze.ts';
import type { Person } from './people.ts';
import { DEPARTMENTS, TITLES } from './people.ts';
import { RunOutcomes } from './run-outcomes.ts';
import type { Ctx, EOpts, Follow } from './run-types.ts';

/** What follows an outcome: retries, callbacks, skips, and the properties a change touches. */
export abstract class RunFollowUps extends RunOutcomes {
  protected followUp(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    op: string,
    attempt: number,
    code: string,
    follow: Follow,
    kind?: FailKind,
  ): void {
    if (follow === 'none' || c.direction === 'inbound') return;
    const rng = this.rng;
    let what: Follow = follow;
    if (what === 'auto') {
      const r = rng.next();
      if (
        CONFIRMABLE.has(code) &&
        (action === 'delete' || action === 'disable' || code === 'NoCallback')
      )
        what = r < 0.65 ? 'confirm' : 'none';
      else if (FIXABLE.has(code)) {
        if (c.run && kind && r < 0.3) what = 'retrigger';
        else what = r < 0.65 ? 'retry' : r < 0.78 ? 'confirm' : 'none';
      } else what = r < 0.3 ? 'retry' : 'none';
    }
    const admin = this.admin();
    const base: Ctx = {
      ...c,
      taskId: null,
      cycleId: this.cycleOf(c.sys, t),
      method: 'manual',
      run: c.run,
      actor: admin,
    };
    if (what === 'retrigger' && c.run && kind) {
      c.run.retrigger.push({ c, s, action, op, attempt, kind });
    } else if (what === 'confirm') {
      const when = t + rng.range(20 * MIN, 30 * HOUR);
      const ctx: Ctx = { ...base, source: 'manual_operation' };
      const done =
        action === 'delete'
          ? 'deleted'
          : action === 'disable'
            ? 'disabled'
            : action === 'create'
              ? 'linked to the existing account'
              : 'changed';
      this.put(
        ctx,
        when,
        this.entry(ctx, when, s, 'confirm', 'success', {
          op,
          attempt: attempt + 1,
          reason: `Confirmed by ${admin.displayName}: ${TYPE_LOWER[s.type]} ${done} by hand in ${c.sys.name}`,
        }),
        true,
      );
    } else if (what === 'retry') {
      const when = t + rng.range(15 * MIN, 36 * HOUR);
      const ctx: Ctx = { ...base, source: 'retry_after_modification' };
      const ok = rng.chance(0.85);
      const again = ok ? undefined : this.pickFailure(c.sys, action, OUTBOUND_FAILURES);
      const fixed =
        code === 'MandatoryFieldsMissing' && s.person
          ? [{ name: 'mail', oldValue: null, newValue: s.person.mail }, ...(mods ?? [])]
          : mods;
      if (again && !again.transient) {
        this.put(
          ctx,
          when,
          this.entry(ctx, when, s, action, 'failure', {
            op,
            kind: again,
            reason: this.reasonFor(again, ctx, s, 0, 0),
            attempt: attempt + 1,
            mods: fixed,
          }),
          true,
        );
      } else {
        this.put(
          ctx,
          when,
          this.entry(ctx, when, s, action, 'success', { op, attempt: attempt + 1, mods: fixed }),
          true,
        );
      }
    }
  }

  /** Applications that confirm by callback: the pending entry is followed by the outcome. */
  protected callback(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    op: string,
    noCallback: boolean,
  ): void {
    const rng = this.rng;
    const r = noCallback ? 0.95 : rng.next();
    if (r < 0.88) {
      const when = t + rng.range(2000, 90_000);
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'success', { op, call: false, reason: undefined }),
      );
    } else if (r < 0.96 || noCallback) {
      const when = t + 15 * MIN;
      const reason = `No callback from ${c.sys.name} within 15 minutes: provlog cannot tell whether the change was applied`;
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'not_verifiable', {
          op,
          code: 'NoCallback',
          reason,
          call: false,
        }),
      );
      this.followUp(
        { ...c },
        when,
        s,
        action,
        undefined,
        op,
        1,
        'NoCallback',
        noCallback ? 'confirm' : 'auto',
      );
    } else {
      const when = t + rng.range(5000, 120_000);
      const reason = this.reasonFor(CALLBACK_REJECTED, c, s, 0, 0);
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'failure', {
          op,
          kind: CALLBACK_REJECTED,
          reason,
          attempt: 1,
          call: false,
        }),
      );
      if (c.run) c.run.failed++;
      this.followUp(c, when, s, action, undefined, op, 1, 'CallbackRejected', 'auto');
    }
  }

  protected skip(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    skip: SkipReason,
    reason: string | undefined,
    extra?: EOpts,
  ): void {
    this.put(c, t, this.entry(c, t, s, action, 'skipped', { skip, reason, ...extra }));
  }

  protected userMods(p: Person, action: Action): ModifiedProperty[] {
    const rng = this.rng;
    if (action === 'create') {
      return (p.createMods ??= deepFreeze([
        { name: 'userName', newValue: p.mail },
        { name: 'displayName', newValue: p.name },
        { name: 'givenName', newValue: p.given },
        { name: 'surname', newValue: p.family },
        { name: 'mail', newValue: p.mail },
        { name: 'department', newValue: DEPARTMENTS[p.dept] },
        { name: 'jobTitle', newValue: p.title },
        { name: 'accountEnabled', newValue: 'True' },
      ]));
    }
    if (action === 'disable')
      return [{ name: 'accountEnabled', oldValue: 'True', newValue: 'False' }];
    if (action === 'enable')
      return [{ name: 'accountEnabled', oldValue: 'False', newValue: 'True' }];
    const out: ModifiedProperty[] = [];
    const n = rng.chance(0.6) ? 1 : rng.range(2, 3);
    for (let i = 0; i < n; i++) {
      switch (rng.int(6)) {
        case 0:
          out.push({
            name: 'department',
            oldValue: DEPARTMENTS[(p.dept + 1 + rng.int(4)) % DEPARTMENTS.length],
            newValue: DEPARTMENTS[p.dept],
          });
          break;
        case 1:
          out.push({
            name: 'jobTitle',
            oldValue: TITLES[p.dept],
            newValue: p.title === TITLES[p.dept] ? `Senior ${p.title}` : p.title,
          });
          break;
        case 2: {
          const m = this.person(p.managerIdx);
          out.push({
            name: 'manager',
            oldValue: this.person((p.managerIdx + 7) % this.peopleCount).mail,
            newValue: m.mail,
          });
          break;
        }
        case 3:
          out.push({
            name: 'officeLocation',
            oldValue: rng.chance(0.3) ? null : 'Remote',
            newValue: p.office,
          });
          break;
        case 4:
          out.push({
            name: 'mobilePhone',
            oldValue: null,
            newValue: `+1 555 01${String(p.idx % 100).padStart(2, '0')}`,
          });
          break;
        default:
          out.push({
            name: 'displayName',
            oldValue: `${p.given} ${p.family.slice(0, 1)}.`,
            newValue: p.name,
          });
      }
    }
    return out;
  }

  protected memberMods(p: Person, add: boolean): ModifiedProperty[] {
    const v = `${p.name} (${p.hubId})`;
    return [
      add
        ? { name: 'members', newValue: `added: ${v}` }
        : { name: 'members', oldValue: `removed: ${v}` },
    ];
  }
}
