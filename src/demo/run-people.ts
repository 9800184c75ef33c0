import type { Actor } from '../model/entry.ts';
import type { ObjectType } from '../model/enums.ts';
import type { DemoSystem } from './demo-systems.ts';
import { APPS, DEMO_SYSTEMS, LDAP, WORKDAY, appIndex, fnv } from './demo-systems.ts';
import type { Subject } from './failure-catalog.ts';
import { TYPE_WORD } from './failure-catalog.ts';
import { frozen } from './freeze.ts';
import { COMBOS, COMBO_STARTS, CULTURES } from './name-cultures.ts';
import { DOMAIN, LDAP_BASE, TYPE_INDEX } from './payload-constants.ts';
import type { Named, Person } from './people.ts';
import {
  ADMINS,
  DEPARTMENTS,
  FIXED_COMBOS,
  SENIORITY,
  TITLES,
  TITLE_TABLE,
  targetIdFor,
} from './people.ts';
import { hash2, hash3, mix32, uuidFrom } from './prng.ts';
import { RunState } from './run-state.ts';

/** People, the objects they stand for in each system, and who acts on them. */
export abstract class RunPeople extends RunState {
  // --- people and objects -----------------------------------------------------------

  protected person(idx: number): Person {
    const slot = idx & this.cacheMask;
    const hit = this.cache[slot];
    if (hit && hit.idx === idx) return hit;
    const p = this.makePerson(idx);
    this.cache[slot] = p;
    return p;
  }

  protected randomPerson(): Person {
    // A third of the activity concerns a few busy people (managers, movers, contractors); the
    // busy set is capped so it stays in the person cache however large the history.
    const rng = this.rng;
    const n = this.peopleCount;
    if (rng.chance(0.003)) return this.person(rng.int(FIXED_COMBOS.length));
    return this.person(rng.chance(0.33) ? rng.int(this.busy) : rng.int(n));
  }

  protected makePerson(idx: number): Person {
    const round = Math.floor(idx / COMBOS);
    let combo: number;
    if (idx < FIXED_COMBOS.length) combo = FIXED_COMBOS[idx]!;
    else {
      combo = this.comboAt(idx % COMBOS);
      // A generated person who drew a fixed person's name takes the name that person would have had.
      const j = round === 0 ? FIXED_COMBOS.indexOf(combo) : -1;
      if (j >= 0) combo = this.comboAt(j);
    }
    let ci = 0;
    while (ci + 1 < CULTURES.length && COMBO_STARTS[ci + 1]! <= combo) ci++;
    const cult = CULTURES[ci]!;
    const within = combo - COMBO_STARTS[ci]!;
    const first = cult.first[within % cult.first.length]!;
    const last = cult.last[Math.floor(within / cult.first.length)]!;
    const family = first.female && last.fd ? last.fd : last.d;
    const familyAscii = first.female && last.fa ? last.fa : last.a;
    const name =
      cult.order === 'w'
        ? `${first.d} ${family}`
        : cult.order === 'e'
          ? `${family} ${first.d}`
          : `${family}${first.d}`;
    const login = `${first.a}.${familyAscii}${round > 0 ? round + 1 : ''}`;
    const h = hash2(this.seed, idx);
    const dept = h % DEPARTMENTS.length;
    let assigned = 0;
    const apps: DemoSystem[] = [];
    for (let i = 0; i < APPS.length; i++) {
      const app = APPS[i]!;
      if (
        idx < FIXED_COMBOS.length ||
        hash3(this.seed, idx, 100 + i) / 4294967296 < app.assignedShare
      ) {
        assigned |= 1 << i;
        apps.push(app);
      }
    }
    let managerIdx =
      mix32(h) % Math.max(1, Math.min(this.peopleCount, 50 + Math.floor(this.peopleCount / 8)));
    if (managerIdx === idx) managerIdx = (idx + 1) % this.peopleCount;
    return {
      idx,
      hubId: uuidFrom(h, hash2(h, 1), hash2(h, 2), hash2(h, 3)),
      employeeId: `E${100000 + idx}`,
      login,
      mail: `${login}@${DOMAIN}`,
      name,
      given: first.d,
      family,
      dept,
      title: TITLE_TABLE[(mix32(h + 5) % SENIORITY.length) * TITLES.length + dept]!,
      office: cult.offices[mix32(h + 9) % cult.offices.length]!,
      managerIdx,
      assigned,
      apps,
      dn: undefined,
      hubRef: undefined,
      subjects: undefined,
      createMods: undefined,
      scimBody: undefined,
    };
  }

  protected comboAt(q: number): number {
    return (Math.floor((q * this.step) % COMBOS) + this.comboOffset) % COMBOS;
  }

  protected dnOf(p: Person): string {
    return (p.dn ??= `uid=${p.login},ou=People,${LDAP_BASE}`);
  }

  protected isAssigned(p: Person, app: DemoSystem): boolean {
    return (p.assigned & (1 << appIndex(app))) !== 0;
  }

  /** A person's subject in a system, made once while the person is cached. */
  protected userSubject(p: Person, sys: DemoSystem, type: ObjectType = 'user'): Subject {
    const i = sys.index + (type === 'account' ? DEMO_SYSTEMS.length : 0);
    const subjects = (p.subjects ??= new Array<Subject | undefined>(2 * DEMO_SYSTEMS.length));
    return (subjects[i] ??= this.makeUserSubject(p, sys, type));
  }

  protected makeUserSubject(p: Person, sys: DemoSystem, type: ObjectType): Subject {
    const hub = (p.hubRef ??= frozen({ id: p.hubId, displayName: p.name, type: 'User' }));
    if (sys === WORKDAY) {
      const src = frozen({ id: p.employeeId, displayName: p.name, type: 'Worker' });
      return {
        type,
        person: p,
        name: p.name,
        key: p.employeeId,
        hubId: p.hubId,
        srcId: p.employeeId,
        srcType: 'Worker',
        tgtId: p.hubId,
        tgtType: 'User',
        srcRef: src,
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    if (sys === LDAP) {
      const dn = this.dnOf(p);
      const src = frozen({ id: dn, displayName: p.name, type: 'inetOrgPerson' });
      return {
        type,
        person: p,
        name: p.name,
        key: p.employeeId,
        hubId: p.hubId,
        srcId: dn,
        srcType: 'inetOrgPerson',
        tgtId: p.hubId,
        tgtType: 'User',
        srcRef: src,
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    const tgtId = targetIdFor(sys, hash3(this.seed, p.idx, 1000 + appIndex(sys)));
    const account = type === 'account';
    const tgt = frozen({
      id: tgtId,
      displayName: account ? p.login : p.name,
      type: account ? 'Account' : 'User',
    });
    return {
      type,
      person: p,
      name: p.name,
      key: account ? p.login : p.mail,
      hubId: p.hubId,
      srcId: p.hubId,
      srcType: 'User',
      tgtId,
      tgtType: tgt.type!,
      srcRef: hub,
      tgtRef: tgt,
      imp: undefined,
      match: undefined,
      url: undefined,
      okBody: undefined,
      okCreate: undefined,
    };
  }

  /** Groups and organizations are few: their subjects are made once per system and shared. */
  protected namedSubject(type: ObjectType, x: Named, sys: DemoSystem): Subject {
    const key = sys.index * 8 + TYPE_INDEX[type];
    let bySys = this.namedCache.get(x);
    if (!bySys) this.namedCache.set(x, (bySys = []));
    return (bySys[key] ??= this.makeNamedSubject(type, x, sys));
  }

  protected makeNamedSubject(type: ObjectType, x: Named, sys: DemoSystem): Subject {
    const word = TYPE_WORD[type];
    const hub = frozen({ id: x.id, displayName: x.name, type: word });
    if (sys.kind === 'identity_provider') {
      const srcId =
        type === 'organization'
          ? `ou=${x.name},ou=People,${LDAP_BASE}`
          : sys === LDAP
            ? `cn=${x.name},ou=Groups,${LDAP_BASE}`
            : x.name;
      const srcType =
        sys === LDAP ? (type === 'group' ? 'groupOfNames' : 'organizationalUnit') : 'Group';
      return {
        type,
        person: undefined,
        name: x.name,
        key: x.name,
        hubId: x.id,
        srcId,
        srcType,
        tgtId: x.id,
        tgtType: word,
        srcRef: frozen({ id: srcId, displayName: x.name, type: srcType }),
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    const tgtId = targetIdFor(sys, hash3(this.seed, fnv(x.name), fnv(sys.id)));
    return {
      type,
      person: undefined,
      name: x.name,
      key: x.name,
      hubId: x.id,
      srcId: x.id,
      srcType: word,
      tgtId,
      tgtType: word,
      srcRef: hub,
      tgtRef: frozen({ id: tgtId, displayName: x.name, type: word }),
      imp: undefined,
      match: undefined,
      url: undefined,
      okBody: undefined,
      okCreate: undefined,
    };
  }

  protected admin(): Actor {
    return this.rng.pick(ADMINS);
  }

  protected manager(p: Person): Actor {
    const m = this.person(p.managerIdx);
    return { type: 'user', id: m.mail, displayName: m.name };
  }
}
