import type { EntryInput, ModifiedProperty, Step } from '../model/entry.ts';
import type { Action, EntryStatus } from '../model/enums.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import { HOUR, MIN } from './calendar.ts';
import type { DemoSystem } from './demo-systems.ts';
import { DEMO_HUB } from './demo-systems.ts';
import type { Subject } from './failure-catalog.ts';
import { frozen } from './freeze.ts';
import { PATCH_SCHEMAS, patchOps } from './payload-constants.ts';
import { duration } from './run-helpers.ts';
import { RunPeople } from './run-people.ts';
import type { Ctx, EOpts } from './run-types.ts';

/** Entries: their ids, times, bucketing and the fields every entry carries. */
export abstract class RunEntries extends RunPeople {
  protected abstract payload(
    e: EntryInput,
    app: DemoSystem,
    s: Subject,
    action: Action,
    o: EOpts,
  ): void;
  protected abstract steps(
    c: Ctx,
    s: Subject,
    action: Action,
    status: EntryStatus,
    o: EOpts,
  ): Step[];

  // --- entries ----------------------------------------------------------------------

  /** Adds an entry (see `put`) and returns its operation id, for the entries that follow it. */
  protected add(c: Ctx, t: number, e: EntryInput): string {
    this.put(c, t, e);
    return e.operationId!;
  }

  /** Adds an entry where it belongs: to its task (decided once the task ends) or to the log. */
  protected put(c: Ctx, t: number, e: EntryInput, later = false): void {
    const run = c.run;
    if (run) {
      if (later) {
        run.later.push(e);
        run.laterTimes.push(t);
      } else {
        run.entries.push(e);
        run.times.push(t);
        if (t > run.maxT) run.maxT = t;
      }
      return;
    }
    this.due(t, e);
  }

  protected entry(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    status: EntryStatus,
    o: EOpts,
  ): EntryInput {
    const outbound = c.direction === 'outbound';
    const knowsTarget = outbound
      ? !(action === 'create' && status !== 'success' && status !== 'committed')
      : action !== 'create' || status === 'success';
    // One literal for the fields every entry has (a single allocation), then the optional ones.
    const changeId = this.changeId();
    const e: EntryInput = {
      changeId,
      taskId: c.taskId,
      jobId: c.jobId,
      cycleId: c.cycleId,
      // An operation is named after its first attempt; later attempts and confirmations repeat it.
      operationId: o.op ?? changeId,
      time: this.iso(t),
      durationMs: duration(this.rng, outbound, status, o.kind),
      direction: c.direction,
      triggerModule: c.module,
      triggerModuleName: c.moduleName,
      triggerMethod: c.method,
      source: c.source,
      objectType: s.type,
      action,
      status,
      sourceIdentity: s.srcRef,
      targetIdentity: knowsTarget
        ? s.tgtRef
        : { displayName: s.tgtRef.displayName!, type: s.tgtRef.type! },
      sourceSystem: outbound ? DEMO_HUB : c.sys.ref,
      targetSystem: outbound ? c.sys.ref : DEMO_HUB,
      steps: this.steps(c, s, action, status, o),
    };
    if (o.skip) e.skipReason = o.skip;
    const code = o.code ?? o.kind?.code;
    if (code) {
      e.errorCode = code;
      e.errorCategory = lookupErrorCode(code)?.transient ? 'transient' : 'permanent';
    }
    if (o.reason) e.reason = o.reason;
    if (o.retryAt !== undefined) e.retryAt = this.iso(o.retryAt);
    if (o.attempt !== undefined) e.attempt = o.attempt;
    if (o.max !== undefined) e.maxAttempts = o.max;
    if (o.mods && (status !== 'skipped' || o.skip === 'needs_action'))
      e.modifiedProperties = o.mods;
    if (o.perm) e.permissionChanges = o.perm;
    if (
      outbound &&
      o.call !== false &&
      status !== 'skipped' &&
      action !== 'confirm' &&
      o.kind?.stage !== 'matching'
    ) {
      this.payload(e, c.sys, s, action, o);
    }
    if (c.actor) e.actor = c.actor;
    if (o.approver) e.approver = o.approver;
    return e;
  }

  /**
   * The four steps. Steps that read the same for every entry of a person, system and action are
   * made once and shared (frozen): at millions of entries, that is most of the log's memory.
   */

  protected iso(t: number): string {
    const hour = Math.floor(t / HOUR);
    if (hour !== this.isoHour) {
      this.isoHour = hour;
      const prefix = new Date(hour * HOUR).toISOString();
      for (let i = 0; i < 14; i++) this.isoPrefix[i] = prefix.charCodeAt(i);
    }
    const p = this.isoPrefix;
    const rem = t - hour * HOUR;
    const m = Math.floor(rem / MIN);
    const sec = Math.floor((rem - m * MIN) / 1000);
    const ms = rem - m * MIN - sec * 1000;
    return String.fromCharCode(
      p[0]!,
      p[1]!,
      p[2]!,
      p[3]!,
      p[4]!,
      p[5]!,
      p[6]!,
      p[7]!,
      p[8]!,
      p[9]!,
      p[10]!,
      p[11]!,
      p[12]!,
      p[13]!,
      48 + Math.floor(m / 10),
      48 + (m % 10),
      58,
      48 + Math.floor(sec / 10),
      48 + (sec % 10),
      46,
      48 + Math.floor(ms / 100),
      48 + (Math.floor(ms / 10) % 10),
      48 + (ms % 10),
      90,
    );
  }

  /** A fan-out sends the same change to several applications: they share one PATCH body. */
  protected patchBody(mods: ModifiedProperty[] | undefined): unknown {
    if (mods !== this.lastMods || !this.lastPatch) {
      this.lastMods = mods;
      this.lastPatch = Object.freeze({ schemas: PATCH_SCHEMAS, Operations: patchOps(mods) });
    }
    return this.lastPatch;
  }

  protected cacheStep(key: number, step: Step): Step {
    this.stepById[key] = frozen(step);
    return step;
  }

  protected importStep(description: string, detail: string, value: string): Step {
    return frozen<Step>({
      name: 'import',
      status: 'success',
      description,
      details: frozen({ [detail]: value }),
    });
  }

  /** The request sent to the application and what came back, in that application's API. */
}
