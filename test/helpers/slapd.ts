import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';

const run = promisify(execFile);
export const SLAPD = process.env.PROVLOG_TEST_SLAPD ?? '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const SUFFIX = 'dc=example,dc=org';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PW = 'admin-secret';
/** A read-only service account, as a real deployment would give provlog. */
export const READER_DN = `cn=provlog,${SUFFIX}`;
export const READER_PW = 'reader-secret';
/** A service account whose searches stop after 3 entries (to see sizeLimitExceeded). */
export const LIMITED_DN = `cn=limited,${SUFFIX}`;
export const LIMITED_PW = 'limited-secret';

/**
 * Whether Debian's slapd is installed. Outside CI a machine without it skips the LDAP tests and
 * says so; in CI (`CI=true`) it is a failure, because nothing may be skipped there.
 */
export function slapdAvailable(): boolean {
  if (existsSync(SLAPD)) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `slapd is required in CI but ${SLAPD} is missing: install the Debian packages slapd and ldap-utils (.ci/run does)`,
    );
  process.stderr.write(
    `\n[provlog tests] SKIPPED LDAP tests: no slapd at ${SLAPD} (apt-get install slapd ldap-utils)\n`,
  );
  return false;
}

export interface Slapd {
  url: string;
  port: number;
  dir: string;
  /** A client bound as the directory's root, to seed and change entries. */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A slapd.conf for one mdb database under `dir`: the schemas people entries need, no overlays. */
function slapdConf(dir: string): string {
  return `
include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/inetorgperson.schema
include ${SCHEMA_DIR}/nis.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath ${MODULE_DIR}
moduleload back_mdb
sizelimit size.soft=unlimited size.hard=unlimited size.prtotal=unlimited

database mdb
maxsize 1073741824
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PW}
directory ${dir}/data
index objectClass eq
index entryUUID eq
# provlog's account gets at most 4 entries per plain search: more needs the paged results control.
limits dn.exact="${READER_DN}" size.soft=4 size.hard=4 size.prtotal=unlimited
limits dn.exact="${LIMITED_DN}" size=3 size.prtotal=3
access to attrs=userPassword by anonymous auth by * none
access to * by * read
`;
}

const BASE_LDIF = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ${READER_DN}
objectClass: person
cn: provlog
sn: service
userPassword: ${READER_PW}

dn: ${LIMITED_DN}
objectClass: person
cn: limited
sn: service
userPassword: ${LIMITED_PW}

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups
`;

/**
 * Starts Debian's slapd as a plain child process on a free loopback port, with a generated
 * slapd.conf and an empty mdb database in a temporary folder (never the system's slapd).
 * `ldif` is loaded offline with slapadd before start (fast for big seeds).
 */
export async function startSlapd(opts: { ldif?: string } = {}): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'provlog-slapd-'));
  mkdirSync(join(dir, 'data'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir));
  const seed = join(dir, 'seed.ldif');
  writeFileSync(seed, `${BASE_LDIF}\n${opts.ldif ?? ''}`);
  try {
    await run(SLAPADD, ['-q', '-f', conf, '-l', seed], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`slapadd failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0: stay in the foreground (a child we own and stop), logging nothing.
  const child: ChildProcess = spawn(SLAPD, ['-h', `${url}/`, '-f', conf, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const admin = async () => {
    const client = new Client({ url, timeout: 10_000 });
    await client.bind(ROOT_DN, ROOT_PW);
    return client;
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`slapd exited at start: ${stderr.trim()}`);
    }
    const probe = new Client({ url, connectTimeout: 500, timeout: 1000 });
    try {
      await probe.search('', { scope: 'base', attributes: ['namingContexts'] });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`slapd did not answer on ${url}: ${(err as Error).message} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await probe.unbind().catch(() => {});
    }
  }
  return { url, port, dir, admin, stop };
}
