import type { Step } from '../model/entry.ts';
import type { Action, EntryStatus } from '../model/enums.ts';
import { WORKDAY } from './demo-systems.ts';
import type { Subject } from './failure-catalog.ts';
import { PAST, TYPE_LOWER, TYPE_WORD } from './failure-catalog.ts';
import { frozen } from './freeze.ts';
import { ACTION_INDEX, TYPE_INDEX } from './payload-constants.ts';
import { RunEntries } from './run-entries.ts';
import type { Ctx, EOpts } from './run-types.ts';

/** The steps an entry records (import, scoping, matching, provision), as in Entra's log. */
export abstract class RunSteps extends RunEntries {
  protected steps(c: Ctx, s: Subject, action: Action, status: EntryStatus, o: EOpts): Step[] {
    const sys = c.sys;
    const word = TYPE_WORD[s.type];
    const lower = TYPE_LOWER[s.type];
    const outbound = c.direction === 'outbound';
    if (action === 'confirm') {
      return [
        {
          name: 'provision',
          status: 'success',
          description: o.reason ?? `Confirmed by hand in ${sys.name}`,
        },
      ];
    }
    const fail = status === 'failure' ? o.reason : undefined;
    const si = sys.index;
    let importStep: Step;
    if (o.kind?.stage === 'import' && fail) {
      const details: Record<string, string | number | null> =
        sys === WORKDAY ? { fileName: c.file ?? null, row: o.row ?? 2 } : { dn: s.srcId };
      return [{ name: 'import', status: 'failure', description: fail, details }];
    }
    // No closures here: this runs once per entry, and tsx wraps every closure it creates.
    if (outbound) {
      importStep = s.imp ??= this.importStep(
        `Received ${word} '${s.name}' from provlog hub`,
        'id',
        s.hubId,
      );
    } else if (sys === WORKDAY) {
      importStep = {
        name: 'import',
        status: 'success',
        description: `Read row ${o.row ?? 2} of ${c.file ?? 'the CSV file'}`,
        details: { fileName: c.file ?? null, row: o.row ?? 2 },
      };
    } else {
      importStep = s.imp ??= this.importStep(`Read ${s.srcId} from ${sys.name}`, 'dn', s.srcId);
    }
    if (o.skip === 'out_of_scope') {
      const reason = o.reason ?? 'Out of scope';
      let scoped = this.stepCache.get(reason);
      if (!scoped)
        this.stepCache.set(
          reason,
          (scoped = frozen<Step>({ name: 'scoping', status: 'skipped', description: reason })),
        );
      return [importStep, scoped];
    }
    const ti = TYPE_INDEX[s.type];
    let scoping = this.stepById[si * 8 + ti];
    if (!scoping) {
      scoping = frozen<Step>({
        name: 'scoping',
        status: 'success',
        description: outbound
          ? `${word} is in scope: assigned to ${sys.name}`
          : `${word} is in scope of the ${sys.name} import`,
      });
      this.stepById[si * 8 + ti] = scoping;
    }
    const attr =
      s.type === 'user' || s.type === 'account'
        ? sys.matchOn
        : s.type === 'group'
          ? 'displayName'
          : 'name';
    const where = outbound ? sys.name : 'provlog hub';
    if (o.kind?.stage === 'matching' && fail) {
      return [
        importStep,
        scoping,
        {
          name: 'matching',
          status: 'failure',
          description: fail,
          details: { matchingAttribute: attr, sourceValue: s.key },
        },
      ];
    }
    const creates = action === 'create' && status !== 'skipped';
    const matchKey = 2000 + (si * 8 + ti) * 2 + (creates ? 1 : 0);
    const matchText = (this.texts[matchKey] ??= creates
      ? `No ${lower} in ${where} has the same ${attr}: it will be created`
      : `Matched ${lower} in ${where} on ${attr}`);
    const matching: Step = creates
      ? {
          name: 'matching',
          status: 'success',
          description: matchText,
          details: { matchingAttribute: attr, sourceValue: s.key },
        }
      : (s.match ??= frozen<Step>({
          name: 'matching',
          status: 'success',
          description: matchText,
          details: frozen({
            matchingAttribute: attr,
            sourceValue: s.key,
            targetId: outbound ? (s.tgtId ?? null) : s.hubId,
          }),
        }));
    let provision: Step;
    switch (status) {
      case 'success':
        provision =
          this.stepById[1000 + (si * 8 + ti) * 8 + ACTION_INDEX[action]] ??
          this.cacheStep(1000 + (si * 8 + ti) * 8 + ACTION_INDEX[action], {
            name: 'provision',
            status: 'success',
            description: `${PAST[action]} ${lower} in ${where}`,
          });
        break;
      case 'failure':
        provision = { name: 'provision', status: 'failure', description: fail ?? 'Failed' };
        break;
      case 'skipped':
        if (o.skip === 'no_change' && !o.reason) {
          provision =
            this.stepById[3200 + si * 8 + ti] ??
            this.cacheStep(3200 + si * 8 + ti, {
              name: 'provision',
              status: 'skipped',
              description: `No change needed: the ${lower} in ${where} already matches`,
            });
        } else if (o.skip === 'no_change' && o.reason) {
          let step = this.stepCache.get(o.reason);
          if (!step)
            this.stepCache.set(
              o.reason,
              (step = frozen<Step>({
                name: 'provision',
                status: 'skipped',
                description: o.reason,
              })),
            );
          provision = step;
        } else {
          provision = {
            name: 'provision',
            status: 'skipped',
            description: o.reason ?? 'Needs action',
          };
        }
        break;
      case 'pending':
        provision = o.reason
          ? { name: 'provision', status: 'pending', description: o.reason }
          : (this.stepById[3000 + si] ??
            this.cacheStep(3000 + si, {
              name: 'provision',
              status: 'pending',
              description: `Sent to ${sys.name}; waiting for its callback`,
            }));
        break;
      case 'committed':
        provision =
          this.stepById[3100 + si] ??
          this.cacheStep(3100 + si, {
            name: 'provision',
            status: 'success',
            description: `Committed in ${sys.name}; not verified yet`,
          });
        break;
      case 'not_verifiable':
        provision = {
          name: 'provision',
          status: 'pending',
          description: o.reason ?? `No confirmation from ${sys.name}`,
        };
        break;
    }
    return [importStep, scoping, matching, provision];
  }

  /**
   * `Date#toISOString` costs more than the rest of an entry; entries come roughly in time order,
   * so the date and hour are formatted once per hour and the rest is written digit by digit.
   */
}
