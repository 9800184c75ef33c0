import type { EntryInput } from '../model/entry.ts';
import type { Action } from '../model/enums.ts';
import type { DemoSystem } from './demo-systems.ts';
import { fnv } from './demo-systems.ts';
import type { Subject } from './failure-catalog.ts';
import { deepFreeze, frozen } from './freeze.ts';
import {
  ERROR_SCHEMAS,
  JSON_HEADERS,
  PATCH_SCHEMAS,
  RESPONSE_204,
  SCIM_DISABLE,
  SCIM_ENABLE,
  SCIM_ENTERPRISE,
  SCIM_GROUP,
  SCIM_HEADERS,
  SCIM_USER,
  USER_META,
  USER_SCHEMAS,
} from './payload-constants.ts';
import { DEPARTMENTS } from './people.ts';
import { hex8 } from './prng.ts';
import { RunSteps } from './run-steps.ts';
import type { EOpts } from './run-types.ts';

/** The SCIM, LDAP and API requests and responses an outbound entry shows. */
export abstract class RunPayloads extends RunSteps {
  protected payload(e: EntryInput, app: DemoSystem, s: Subject, action: Action, o: EOpts): void {
    const kind = o.kind;
    const p = s.person;
    const ep = app.endpoint;
    const tgt = s.tgtId ?? '';
    let method = 'PATCH';
    let url: string;
    let body: unknown;
    let okStatus = 200;
    let okBody: unknown;
    if (app.api === 'scim') {
      url = '';
      if (action === 'create' && s.type === 'group') {
        method = 'POST';
        url = `${ep}/Groups`;
        body = { schemas: [SCIM_GROUP], displayName: s.name, externalId: s.hubId };
        okStatus = 201;
        okBody = {
          schemas: [SCIM_GROUP],
          id: tgt,
          displayName: s.name,
          meta: { resourceType: 'Group' },
        };
      } else if (action === 'create' && p) {
        method = 'POST';
        url = `${ep}/Users`;
        // The same person is created in several applications: one body, shared.
        body = p.scimBody ??= deepFreeze({
          schemas: USER_SCHEMAS,
          externalId: p.hubId,
          userName: p.mail,
          name: { givenName: p.given, familyName: p.family },
          displayName: p.name,
          emails: [{ value: p.mail, type: 'work', primary: true }],
          title: p.title,
          active: true,
          [SCIM_ENTERPRISE]: { employeeNumber: p.employeeId, department: DEPARTMENTS[p.dept] },
        });
        okStatus = 201;
        okBody = s.okCreate ??= deepFreeze({
          schemas: [SCIM_USER],
          id: tgt,
          userName: p.mail,
          active: true,
          meta: { resourceType: 'User', location: `${ep}/Users/${tgt}` },
        });
      } else if (action === 'delete') {
        method = 'DELETE';
        okStatus = 204;
      } else if (action === 'disable' || action === 'enable') {
        body = action === 'enable' ? SCIM_ENABLE : SCIM_DISABLE;
        okBody = { id: tgt, active: action === 'enable' };
      } else if (s.type === 'group') {
        body = {
          schemas: PATCH_SCHEMAS,
          Operations: [
            {
              op: 'add',
              path: 'members',
              value: [{ value: this.member ? this.userSubject(this.member, app).tgtId : tgt }],
            },
          ],
        };
        okStatus = 204;
      } else if (o.perm) {
        body = {
          schemas: PATCH_SCHEMAS,
          Operations: [
            ...o.perm.bound.map((r) => ({ op: 'add', path: 'roles', value: [{ value: r }] })),
            ...o.perm.unbound.map((r) => ({ op: 'remove', path: `roles[value eq "${r}"]` })),
          ],
        };
        okBody = { id: tgt, userName: s.key };
      } else {
        body = this.patchBody(o.mods);
        okBody = s.okBody ??= frozen({ id: tgt, userName: s.key, meta: USER_META });
      }
      if (!url) url = s.url ??= `${ep}/${s.type === 'group' ? 'Groups' : 'Users'}/${tgt}`;
    } else if (app.api === 'google') {
      const users = `${ep}/users`;
      url = `${users}/${tgt}`;
      method = 'PUT';
      if (s.type === 'group') {
        method = 'POST';
        url = `${ep}/groups/${encodeURIComponent(s.name)}/members`;
        body = { email: p?.mail ?? s.key, role: 'MEMBER' };
        okBody = { kind: 'admin#directory#member', id: tgt, role: 'MEMBER' };
      } else if (s.type === 'organization') {
        method = action === 'create' ? 'POST' : 'PATCH';
        url = `${ep}/customer/my_customer/orgunits${action === 'create' ? '' : `/People/${encodeURIComponent(s.name)}`}`;
        body = { name: s.name, parentOrgUnitPath: '/People' };
        okBody = {
          kind: 'admin#directory#orgUnit',
          orgUnitPath: `/People/${s.name}`,
          orgUnitId: `id:${tgt}`,
        };
      } else if (action === 'create' && p) {
        method = 'POST';
        url = users;
        body = {
          primaryEmail: p.mail,
          name: { givenName: p.given, familyName: p.family },
          orgUnitPath: `/People/${DEPARTMENTS[p.dept]}`,
          suspended: false,
        };
        okBody = { kind: 'admin#directory#user', id: tgt, primaryEmail: p.mail };
      } else if (action === 'delete') {
        method = 'DELETE';
        okStatus = 204;
      } else if (action === 'other') {
        body = { password: `Welcome-${hex8(this.rng.u32())}!`, changePasswordAtNextLogin: true };
        okBody = { kind: 'admin#directory#user', id: tgt };
      } else {
        body =
          action === 'disable' || action === 'enable'
            ? { suspended: action === 'disable' }
            : Object.fromEntries((o.mods ?? []).map((m) => [m.name, m.newValue ?? null]));
        okBody = { kind: 'admin#directory#user', id: tgt, primaryEmail: s.key };
      }
    } else {
      // Feishu's contact API answers at once and confirms by callback.
      const coll = s.type === 'organization' ? 'departments' : 'users';
      url = `${ep}/${coll}/${tgt}?user_id_type=open_id`;
      if (action === 'create') {
        method = 'POST';
        url = `${ep}/${coll}?user_id_type=open_id`;
        body =
          s.type === 'organization'
            ? { name: s.name, parent_department_id: '0' }
            : {
                name: s.name,
                email: p?.mail ?? s.key,
                employee_type: 1,
                department_ids: [`od-${hex8(fnv(DEPARTMENTS[p?.dept ?? 0] ?? ''))}`],
              };
      } else if (action === 'delete') {
        method = 'DELETE';
      } else {
        body =
          action === 'disable' || action === 'enable'
            ? { status: { is_frozen: action === 'disable' } }
            : Object.fromEntries((o.mods ?? []).map((m) => [m.name, m.newValue ?? null]));
      }
      okBody = {
        code: 0,
        msg: 'success',
        data:
          s.type === 'organization'
            ? { department: { open_department_id: tgt } }
            : { user: { open_id: tgt } },
      };
    }
    const request: NonNullable<EntryInput['request']> = {
      method,
      url,
      headers: app.api === 'scim' ? SCIM_HEADERS : JSON_HEADERS,
    };
    if (body !== undefined) request.body = body;
    e.request = request;
    if (kind && kind.code === 'Timeout') return;
    if (kind && kind.http > 0) {
      const response: NonNullable<EntryInput['response']> = {
        status: kind.http,
        body:
          app.api === 'scim'
            ? {
                schemas: ERROR_SCHEMAS,
                status: String(kind.http),
                ...(kind.scimType ? { scimType: kind.scimType } : {}),
                detail: o.reason ?? kind.code,
              }
            : { error: { code: kind.http, message: o.reason ?? kind.code } },
      };
      if (kind.code === 'TooManyRequests')
        response.headers = { 'Retry-After': String(o.retryAfter ?? 60) };
      e.response = response;
      return;
    }
    if (kind) {
      e.response = { status: 200, body: { code: 40003, msg: o.reason ?? kind.code } };
      return;
    }
    e.response =
      okBody === undefined
        ? okStatus === 204
          ? RESPONSE_204
          : { status: okStatus }
        : { status: okStatus, body: okBody };
  }
}
