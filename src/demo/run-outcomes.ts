import type { Actor, ModifiedProperty } from '../model/entry.ts';
import type { Action } from '../model/enums.ts';
import { HOUR, MIN } from './calendar.ts';
import type { DemoSystem } from './demo-systems.ts';
import { RETRY_AFTER } from './event-weights.ts';
import type { FailKind, Subject } from './failure-catalog.ts';
import { OUTBOUND_FAILURES } from './failure-catalog.ts';
import { RunPayloads } from './run-payloads.ts';
import type { Ctx, Follow, OutOpts } from './run-types.ts';

/** Outbound calls and their failures, with catalog codes and connector reasons. */
export abstract class RunOutcomes extends RunPayloads {
  protected abstract callback(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    op: string,
    noCallback: boolean,
  ): void;
  protected abstract followUp(
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
  ): void;

  // --- outcomes: success, failures, retries, confirmations --------------------------

  protected pickFailure(
    sys: DemoSystem,
    action: Action,
    list: readonly FailKind[],
  ): FailKind | undefined {
    const key = `${sys.id}|${action}|${list === OUTBOUND_FAILURES ? 'o' : 'i'}`;
    let f = this.failCache.get(key);
    if (!f) {
      const kinds = list.filter(
        (k) =>
          (!k.actions || k.actions.includes(action)) && (!k.systems || k.systems.includes(sys.id)),
      );
      const weights = kinds.map((k) => k.weight);
      f = { kinds, weights, total: weights.reduce((a, b) => a + b, 0) };
      this.failCache.set(key, f);
    }
    return f.kinds.length === 0 ? undefined : this.rng.weighted(f.kinds, f.weights, f.total);
  }

  protected reasonFor(kind: FailKind, c: Ctx, s: Subject, row: number, retryAfter: number): string {
    const p = s.person;
    const other =
      kind.code === 'CsvInvalidValue'
        ? `E${100000 + this.peopleCount + this.rng.int(900)}`
        : p
          ? this.dnOf(this.person(p.managerIdx)).replace('uid=', 'uid=former.')
          : '';
    return kind.reason({
      sys: c.sys,
      s,
      n: kind.code === 'TooManyRequests' ? retryAfter : row,
      other,
    });
  }

  /**
   * One change sent to an application: success, or a failure with what follows it (retries,
   * confirmation, a later re-trigger). Returns the time of the last entry it made.
   */
  protected outbound(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    x: OutOpts,
  ): number {
    // The member a group change adds, for the payloads of every attempt of this change.
    this.member = x.member;
    const last = this.outboundOnce(c, t, s, action, mods, x);
    this.member = undefined;
    return last;
  }

  protected outboundOnce(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    x: OutOpts,
  ): number {
    const rng = this.rng;
    const fails = x.code !== undefined || rng.chance(x.pFail);
    const kind = fails
      ? x.code
        ? OUTBOUND_FAILURES.find(
            (k) => k.code === x.code && (!k.actions || k.actions.includes(action)),
          )
        : this.pickFailure(c.sys, action, OUTBOUND_FAILURES)
      : undefined;
    if (!kind) {
      if (c.sys.callbacks) {
        const op = this.add(
          c,
          t,
          this.entry(c, t, s, action, 'pending', { mods, perm: x.perm, approver: x.approver }),
        );
        this.callback(c, t, s, action, op, x.follow === 'confirm');
      } else if (x.commit) {
        const op = this.add(
          c,
          t,
          this.entry(c, t, s, action, 'committed', {
            mods,
            perm: x.perm,
            approver: x.approver,
          }),
        );
        if (rng.chance(0.6)) {
          const v = t + rng.range(20 * MIN, 6 * HOUR);
          this.put(
            c,
            v,
            this.entry(c, v, s, action, 'success', {
              op,
              mods,
              perm: x.perm,
              approver: x.approver,
              call: false,
            }),
          );
        }
      } else {
        this.put(
          c,
          t,
          this.entry(c, t, s, action, 'success', { mods, perm: x.perm, approver: x.approver }),
        );
      }
      return t;
    }
    return this.failure(
      c,
      t,
      s,
      action,
      mods,
      kind,
      undefined,
      1,
      x.follow ?? 'auto',
      x.perm,
      x.approver,
    );
  }

  protected failure(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    kind: FailKind,
    op: string | undefined,
    attempt: number,
    follow: Follow,
    perm?: { bound: string[]; unbound: string[] },
    approver?: Actor,
    row = 0,
  ): number {
    const rng = this.rng;
    if (kind.transient) {
      // Automatic retries: inside a task they come within minutes; single changes back off longer.
      const max = 5;
      let a = attempt;
      let time = t;
      for (;;) {
        const retryAfter = kind.code === 'TooManyRequests' ? rng.pick(RETRY_AFTER) : 0;
        const reason = this.reasonFor(kind, c, s, row, retryAfter);
        if (a >= max) {
          op = this.add(
            c,
            time,
            this.entry(c, time, s, action, 'failure', {
              op,
              kind,
              code: 'RetriesExhausted',
              reason: `Attempt ${a} of ${max} failed: ${reason}. provlog will not retry this change on its own.`,
              attempt: a,
              max,
              mods,
              perm,
              approver,
              retryAfter,
              row,
            }),
          );
          if (c.run) c.run.failed++;
          this.followUp(c, time, s, action, mods, op, a, 'RetriesExhausted', follow);
          return time;
        }
        const delay =
          retryAfter > 0
            ? retryAfter * 1000
            : c.run
              ? 30_000 * 2 ** (a - 1)
              : [MIN, 5 * MIN, 30 * MIN, 2 * HOUR][a - 1]!;
        const retryAt = time + delay;
        op = this.add(
          c,
          time,
          this.entry(c, time, s, action, 'failure', {
            op,
            kind,
            reason,
            retryAt,
            attempt: a,
            max,
            mods,
            perm,
            approver,
            retryAfter,
            row,
          }),
        );
        a++;
        time = retryAt + rng.int(3000);
        if (c.run === null && time > this.now) return time;
        if (rng.chance(0.75)) {
          if (c.sys.callbacks && c.direction === 'outbound') {
            this.put(
              c,
              time,
              this.entry(c, time, s, action, 'pending', {
                op,
                attempt: a,
                max,
                mods,
                perm,
                approver,
              }),
            );
            this.callback(c, time, s, action, op, false);
          } else {
            this.put(
              c,
              time,
              this.entry(c, time, s, action, 'success', {
                op,
                attempt: a,
                max,
                mods,
                perm,
                approver,
                row,
              }),
            );
          }
          return time;
        }
      }
    }
    const reason = this.reasonFor(kind, c, s, row, 0);
    op = this.add(
      c,
      t,
      this.entry(c, t, s, action, 'failure', {
        op,
        kind,
        reason,
        attempt,
        mods,
        perm,
        approver,
        row,
        call: kind.stage !== 'import',
      }),
    );
    if (c.run) c.run.failed++;
    this.followUp(c, t, s, action, mods, op, attempt, kind.code, follow, kind);
    return t;
  }

  /** What a person later does about a permanent failure: confirm it, fix and retry, or re-trigger the task. */
}
