import type { Actor } from '../model/entry.ts';
import type { Action, Source, TriggerMethod } from '../model/enums.ts';
import { HOUR } from './calendar.ts';
import type { DemoSystem } from './demo-systems.ts';
import {
  ACCOUNT_APPS,
  APPS,
  GOOGLE,
  GROUP_APPS,
  LDAP,
  ORG_APPS,
  ROLE_APPS,
  fnv,
} from './demo-systems.ts';
import {
  CHANGE_ACTIONS,
  CHANGE_ACTION_WEIGHTS,
  EVENTS,
  EVENT_WEIGHTS,
  IAM_SOURCES,
  IAM_TOTAL,
  IAM_WEIGHTS,
} from './event-weights.ts';
import { LDAP_FAILURES } from './failure-catalog.ts';
import type { Named, Person } from './people.ts';
import { API_TOKEN, ROLES } from './people.ts';
import { hash2, uuidFrom } from './prng.ts';
import { firstUnassigned, shuffleFirst } from './run-helpers.ts';
import { RunScheduledTasks } from './run-scheduled-tasks.ts';
import type { Ctx, Follow } from './run-types.ts';

/** Single changes outside tasks: outbound events, inbound changes and IAM events. */
export abstract class RunChanges extends RunScheduledTasks {
  // --- single changes ---------------------------------------------------------------

  protected singleCtx(
    app: DemoSystem,
    t: number,
    source: Source = 'single_change',
    method: TriggerMethod = 'automatic',
    actor?: Actor,
  ): Ctx {
    if (source === 'single_change' && method === 'automatic' && !actor) {
      // Most entries are single changes: one context per application and cycle is enough.
      const cycleId = this.cycleOf(app, t);
      const cached = this.ctxCache[app.index];
      if (cached && cached.cycleId === cycleId) return cached;
      return (this.ctxCache[app.index] = {
        taskId: null,
        jobId: app.jobId,
        cycleId,
        direction: app.direction,
        module: app.kind === 'application' ? 'application' : 'identity_provider',
        moduleName: app.name,
        method,
        source,
        sys: app,
        actor,
        run: null,
      });
    }
    return {
      taskId: null,
      jobId: app.jobId,
      cycleId: this.cycleOf(app, t),
      direction: app.direction,
      module: app.kind === 'application' ? 'application' : 'identity_provider',
      moduleName: app.name,
      method,
      source,
      sys: app,
      actor,
      run: null,
    };
  }

  /** The time of the next entry of a fan-out: each application's queue takes its own moment. */
  protected bump(): number {
    return (this.clock += this.rng.range(150, 4000));
  }

  /** A change in the hub (a hire, a move, a leaver…) fans out to the applications the person uses. */
  protected outboundEvent(
    t: number,
    p = this.randomPerson(),
    forced?: string,
    code?: string,
    follow?: Follow,
  ): void {
    const rng = this.rng;
    const kind = forced ?? rng.weighted(EVENTS, EVENT_WEIGHTS, 100);
    let apps = p.apps;
    const time = t;
    this.clock = t;
    switch (kind) {
      case 'attr': {
        const mods = this.userMods(p, 'update');
        apps = shuffleFirst(rng, apps, rng.range(1, 3));
        for (const app of apps) {
          const s = this.userSubject(p, app);
          const c = this.singleCtx(app, time);
          if (!code && rng.chance(0.15))
            this.skip(
              c,
              this.bump(),
              s,
              'update',
              'no_change',
              `None of the changed attributes is mapped to ${app.name}`,
            );
          else this.outbound(c, this.bump(), s, 'update', mods, { pFail: 0.045, code, follow });
        }
        if (!code && rng.chance(0.08)) {
          const other = APPS[p.apps.length < APPS.length ? firstUnassigned(p) : -1];
          if (other)
            this.skip(
              this.singleCtx(other, time),
              this.bump(),
              this.userSubject(p, other),
              'update',
              'out_of_scope',
              'User is not assigned to the application',
            );
        }
        return;
      }
      case 'hire':
      case 'rehire': {
        const action: Action = kind === 'hire' ? 'create' : 'enable';
        for (const app of shuffleFirst(rng, apps, kind === 'hire' ? 5 : 3)) {
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.userSubject(p, app),
            action,
            this.userMods(p, action),
            { pFail: 0.07, code, follow },
          );
        }
        return;
      }
      case 'leave':
        for (const app of shuffleFirst(rng, apps, 5)) {
          const action: Action = app.deleteOnLeave ? 'delete' : 'disable';
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.userSubject(p, app),
            action,
            action === 'disable' ? this.userMods(p, 'disable') : undefined,
            { pFail: 0.07, code, follow },
          );
        }
        return;
      case 'group': {
        const g = this.groups[rng.int(this.groups.length)]!;
        const add = rng.chance(0.7);
        for (const app of shuffleFirst(rng, GROUP_APPS, rng.range(1, 2))) {
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.namedSubject('group', g, app),
            'update',
            this.memberMods(p, add),
            { pFail: 0.03, code, follow, member: p },
          );
        }
        return;
      }
      case 'password': {
        const c = this.singleCtx(GOOGLE, time);
        this.outbound(
          c,
          this.bump(),
          this.userSubject(p, GOOGLE),
          'other',
          [{ name: 'password', oldValue: null, newValue: '********' }],
          { pFail: 0.02, code, follow },
        );
        return;
      }
      case 'role': {
        const app = rng.pick(ROLE_APPS);
        const role = rng.pick(ROLES[app.id]!);
        const r: Named = {
          name: role,
          id: uuidFrom(fnv(role), hash2(this.seed, fnv(role)), 3, fnv(app.id)),
        };
        this.outbound(
          this.singleCtx(app, time),
          this.bump(),
          this.namedSubject('role', r, app),
          rng.chance(0.9) ? 'update' : 'create',
          [
            {
              name: 'assignedTo',
              ...(rng.chance(0.8)
                ? { newValue: `added: ${p.name}` }
                : { oldValue: `removed: ${p.name}` }),
            },
          ],
          { pFail: 0.03, code, follow },
        );
        return;
      }
      default: {
        const org = this.orgs[p.dept]!;
        for (const app of ORG_APPS) {
          const create = rng.chance(0.2);
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.namedSubject('organization', org, app),
            create ? 'create' : 'update',
            [
              {
                name: 'manager',
                oldValue: create ? null : this.person(p.managerIdx).mail,
                newValue: p.mail,
              },
            ],
            { pFail: 0.03, code, follow },
          );
        }
      }
    }
  }

  /** A change notification from the directory (LDAP persistent search): log entries only, no task. */
  protected inboundChange(t: number): void {
    const rng = this.rng;
    const p = this.randomPerson();
    const c = this.singleCtx(LDAP, t);
    if (rng.chance(0.12)) {
      const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, LDAP);
      this.inbound(c, t, s, 'update', this.memberMods(p, rng.chance(0.7)), LDAP_FAILURES, 0.02);
      return;
    }
    const s = this.userSubject(p, LDAP);
    const action: Action = rng.weighted(CHANGE_ACTIONS, CHANGE_ACTION_WEIGHTS, 100);
    this.inbound(c, t, s, action, this.userMods(p, action), LDAP_FAILURES, 0.025);
  }

  /** Account operations of the IAM kind: access requests, policies, reviews, expiries. */
  protected iamEvent(
    t: number,
    forced?: Source,
    o: { p?: Person; app?: DemoSystem; code?: string; follow?: Follow; pending?: boolean } = {},
  ): void {
    const rng = this.rng;
    const source = forced ?? rng.weighted(IAM_SOURCES, IAM_WEIGHTS, IAM_TOTAL);
    const p = o.p ?? this.randomPerson();
    const app = o.app ?? rng.pick(ACCOUNT_APPS);
    const roles = ROLES[app.id] ?? ['Member'];
    const role = roles[rng.int(roles.length)]!;
    const other = roles[(roles.indexOf(role) + 1) % roles.length]!;
    let action: Action = 'update';
    let perm: { bound: string[]; unbound: string[] } | undefined;
    let actor: Actor | undefined;
    let approver: Actor | undefined;
    let method: TriggerMethod = 'automatic';
    switch (source) {
      case 'access_request':
        action = rng.chance(0.4) ? 'create' : 'update';
        perm = { bound: [role], unbound: [] };
        approver = this.manager(p);
        break;
      case 'provisioning_policy':
      case 'app_account_policy':
        action = rng.chance(0.7) ? 'create' : 'update';
        perm = { bound: [role], unbound: [] };
        break;
      case 'permission_change':
        perm = { bound: [role], unbound: rng.chance(0.5) ? [other] : [] };
        break;
      case 'self_service_deprovisioning':
        method = 'manual';
        actor = { type: 'user', id: p.mail, displayName: p.name };
        if (rng.chance(0.3)) action = 'delete';
        else perm = { bound: [], unbound: [role] };
        break;
      case 'global_policy':
        action = rng.chance(0.6) ? 'disable' : 'delete';
        break;
      case 'compliance_review':
        if (rng.chance(0.3)) action = 'disable';
        else perm = { bound: [], unbound: [role] };
        actor = this.admin();
        break;
      case 'permission_expiry':
        perm = { bound: [], unbound: [role] };
        break;
      default:
        actor = API_TOKEN;
        perm = { bound: [role], unbound: [] };
    }
    const c = this.singleCtx(app, t, source, method, actor);
    const s = this.userSubject(p, app, 'account');
    const mods =
      action === 'create'
        ? [
            { name: 'accountName', newValue: p.login },
            { name: 'displayName', newValue: p.name },
          ]
        : action === 'disable'
          ? this.userMods(p, 'disable')
          : undefined;
    if (o.pending || (source === 'access_request' && rng.chance(0.06))) {
      // IdentityNow's "pending": waiting for the approver to act before anything is sent.
      const op = this.add(
        c,
        t,
        this.entry(c, t, s, action, 'pending', {
          perm,
          approver,
          call: false,
          reason: `Waiting for approval by ${approver?.displayName ?? 'the application owner'}`,
        }),
      );
      const when = t + rng.range(HOUR, 30 * HOUR);
      if (rng.chance(0.6))
        this.put(c, when, this.entry(c, when, s, action, 'success', { op, perm, approver, mods }));
      return;
    }
    const deletesByHand = action === 'delete' && !o.code && rng.chance(0.25);
    this.outbound(c, t, s, action, mods, {
      pFail: 0.04,
      perm,
      approver,
      commit: app.connector === 'external' && rng.chance(0.35),
      code:
        o.code ??
        (deletesByHand
          ? app.id === 'github-enterprise' || app.id === 'atlassian-cloud'
            ? 'MethodNotAllowed'
            : 'NotPermitted'
          : undefined),
      follow: o.follow ?? (deletesByHand ? 'confirm' : 'auto'),
    });
  }
}
