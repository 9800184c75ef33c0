import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../src/demo/prng.ts';
import { JobRunner } from '../src/engine/job-runner.ts';
import type { RunMode } from '../src/engine/open-ldap.ts';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.ts';
import { READER_DN, READER_PW, SLAPD, SUFFIX, startSlapd } from '../test/helpers/slapd.ts';
import { cpuSeconds, cpuSpent } from './stats.ts';

const PEOPLE = `ou=people,${SUFFIX}`;
const GROUPS = `ou=groups,${SUFFIX}`;
const DEPARTMENTS = 19;

/**
 * A directory shaped like a company's: every user in an all-staff group and in one of 19
 * department groups, and in 0–4 of the remaining team groups (5–60 members each).
 */
function companyLdif(users: number, groups: number): string {
  const rng = new Prng(2026);
  const out: string[] = [];
  const uid = (i: number) => `user${String(i).padStart(5, '0')}`;
  for (let i = 0; i < users; i++) {
    out.push(`dn: uid=${uid(i)},${PEOPLE}
objectClass: inetOrgPerson
uid: ${uid(i)}
cn: First${i} Last${i}
givenName: First${i}
sn: Last${i}
mail: ${uid(i)}@example.org
employeeNumber: E${100000 + i}
departmentNumber: D${i % DEPARTMENTS}
title: Title ${i % 40}
`);
  }
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < users; i++) {
    members[0]!.push(i);
    members[1 + (i % DEPARTMENTS)]!.push(i);
  }
  const teams = groups - 1 - DEPARTMENTS;
  for (let t = 0; t < teams; t++) {
    const size = 5 + rng.int(56);
    const chosen = new Set<number>();
    while (chosen.size < size) chosen.add(rng.int(users));
    members[1 + DEPARTMENTS + t]!.push(...chosen);
  }
  members.forEach((list, g) => {
    const name = g === 0 ? 'all-staff' : g <= DEPARTMENTS ? `dept-${g - 1}` : `team-${g}`;
    out.push(
      `dn: cn=${name},${GROUPS}\nobjectClass: groupOfNames\ncn: ${name}\ndescription: ${name} group\n${list.map((i) => `member: uid=${uid(i)},${PEOPLE}\n`).join('')}`,
    );
  });
  return out.join('\n');
}

/**
 * LDAP import of `users` users and `groups` groups (with their members) from a local slapd into
 * an empty hub, then a full re-import (no change), then an incremental run (nothing changed).
 * Skipped, with a note, where slapd is not installed.
 */
export async function ldapImportFigures(dir: string, users = 10_000, groups = 500) {
  if (!existsSync(SLAPD)) return { skipped: `no slapd at ${SLAPD} (apt-get install slapd)` };
  process.stderr.write(`[bench] LDAP import: ${users} users and ${groups} groups from slapd\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const slapd = await startSlapd({ ldif: companyLdif(users, groups) });
  const seedSeconds = (performance.now() - t0) / 1000;
  // As provlog serve and the CLI open it: the log written from its own thread.
  const store = new SqliteLogStore({ file: join(dir, 'provlog.db'), writerThread: true });
  try {
    const system = await store.config.createSystem({
      name: 'Bench LDAP',
      type: 'ldap',
      settings: {
        url: slapd.url,
        bindDn: READER_DN,
        baseDn: SUFFIX,
        userBaseDn: PEOPLE,
        groupBaseDn: GROUPS,
        pageSize: 500,
        // Nothing changes during the bench: no look-back, so the incremental run reads nothing.
        watermarkMarginSeconds: 0,
      },
      secrets: { bindPassword: READER_PW },
    });
    const job = await store.config.createJob({
      name: 'Bench directory',
      systemId: system.id,
      direction: 'inbound',
      objectTypes: ['user', 'group'],
      matchingAttribute: 'userName',
      mappings: [
        { target: 'userName', source: 'uid', required: true },
        { target: 'displayName', source: 'cn' },
        { target: 'givenName', source: 'givenName' },
        { target: 'familyName', source: 'sn' },
        { target: 'email', source: 'mail' },
        { target: 'employeeId', source: 'employeeNumber' },
        { target: 'department', source: 'departmentNumber' },
        { target: 'title', source: 'title' },
      ],
      deprovision: 'disable',
    });
    const runner = new JobRunner({ jobs: store.config, directory: store.directory, log: store });
    const timeRun = async (mode: RunMode) => {
      const t = performance.now();
      // provlog's CPU alone: slapd is a process of its own.
      const cpu = cpuSeconds();
      const { done } = await runner.start({
        jobId: job.id,
        mode,
        triggerMethod: 'manual',
        trigger: 'manual_operation',
      });
      const task = await done;
      const seconds = (performance.now() - t) / 1000;
      return {
        seconds: round(seconds),
        objectsPerSec: Math.round(task.counts.processed / seconds),
        processed: task.counts.processed,
        created: task.counts.created,
        skipped: task.counts.skipped,
        status: task.status,
        ...cpuSpent(cpu, cpuSeconds()),
      };
    };
    const firstImport = await timeRun('full');
    const reimportNoChange = await timeRun('full');
    const incrementalNoChange = await timeRun('incremental');
    const memberships = (await store.directory.listGroups({}, { limit: 1000 })).items.reduce(
      (n, g) => n + g.members.length,
      0,
    );
    return {
      users,
      groups,
      memberships,
      pageSize: 500,
      slapaddAndStartSeconds: round(seedSeconds),
      firstImport,
      reimportNoChange,
      incrementalNoChange,
    };
  } finally {
    await store.close();
    await slapd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
