import { Client, FilterParser, type ClientOptions, type Entry } from 'ldapts';
import type { ResolvedLdapSettings } from '../../model/ldap-settings.ts';
import {
  classifyLdapError,
  type LdapErrorCode,
  type LdapErrorContext,
} from './classify-ldap-error.ts';
import {
  attributeValues,
  entryValues,
  formatGeneralizedTime,
  parseGeneralizedTime,
} from './entry-values.ts';
import { readLdapSchema, type LdapSchema } from './ldap-schema.ts';
import { normalizeDn } from './normalize-dn.ts';

export type LdapObjectType = 'user' | 'group';

/** One entry read, one entry that cannot be used, or the end of reading on an error. */
export type LdapRow =
  | {
      kind: 'record';
      objectType: LdapObjectType;
      key: string;
      values: Record<string, string>;
      /** Groups: members as the source keys of their users; DNs that are no user of the source. */
      members?: { keys: string[]; unresolved: string[] };
    }
  | {
      kind: 'row_error';
      objectType: LdapObjectType;
      code: 'MandatoryFieldsMissing';
      reason: string;
      key?: string;
    }
  /** Reading stopped (connection lost, size limit…): what was read is incomplete. Always last. */
  | { kind: 'source_error'; code: LdapErrorCode; reason: string };

export interface LdapSourceOptions {
  settings: ResolvedLdapSettings;
  /** The system's secret `bindPassword`; used for the bind only, never logged or returned. */
  bindPassword?: string;
  /** Attributes the job reads from users (mappings, scoping). */
  userAttributes: readonly string[];
  /** Attributes the job reads from groups; absent = groups are not read. */
  groupAttributes?: readonly string[];
  /** Incremental run: only entries changed at or after this GeneralizedTime. */
  since?: string;
  now?: () => number;
}

export interface LdapSource {
  /** Every attribute name the directory's schema knows (and `dn`), to check mappings against. */
  attributes: string[];
  /** Users first, then groups (so member DNs resolve), a page at a time. */
  rows: AsyncIterable<LdapRow>;
  parameters: Record<string, unknown>;
  /** Where the next incremental run may start; call once every row was read. */
  nextWatermark(): string | undefined;
  close(): Promise<void>;
}

export type LdapOpenResult =
  | { ok: true; source: LdapSource }
  | {
      ok: false;
      code: LdapErrorCode | 'ConfigurationError';
      reason: string;
      parameters: Record<string, unknown>;
    };

// Password hashes and keys (pwdLastSet and the like are timestamps, and stay readable).
const SECRET_ATTRIBUTE =
  /(password$|^(unicodePwd|dBCSPwd|ntPwdHistory|lmPwdHistory|supplementalCredentials|krbPrincipalKey|userPKCS12)$)/i;

/**
 * Opens an LDAP source: connects, binds (simple bind with the system's bindDn and secret),
 * reads the schema and checks the base DNs and filters, so that every configuration problem
 * fails here, before any object is touched. Rows are then read with the paged results control
 * (RFC 2696), one page in memory at a time.
 */
export async function openLdapSource(opts: LdapSourceOptions): Promise<LdapOpenResult> {
  const s = opts.settings;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const groups = opts.groupAttributes !== undefined;
  const since = opts.since;
  // Strictly after the watermark: the watermark lies a margin before the last run's start (or
  // at its newest entry, if older), so every change within that second was read then.
  const scoped = (filter: string) =>
    since ? `(&${filter}(!(${s.timestampAttribute}<=${since})))` : filter;
  const parameters: Record<string, unknown> = {
    url: s.url,
    baseDn: s.userBaseDn,
    userFilter: s.userFilter,
    ...(groups ? { groupBaseDn: s.groupBaseDn, groupFilter: s.groupFilter } : {}),
    mode: since ? 'incremental' : 'full',
    ...(since ? { since } : {}),
    pageSize: s.pageSize,
  };
  const fail = (code: LdapErrorCode | 'ConfigurationError', reason: string): LdapOpenResult => ({
    ok: false,
    code,
    reason,
    parameters,
  });

  const secretNames = [...opts.userAttributes, ...(opts.groupAttributes ?? [])].filter((a) =>
    SECRET_ATTRIBUTE.test(a),
  );
  if (secretNames.length)
    return fail(
      'ConfigurationError',
      `provlog never reads password attributes from a directory: remove ${secretNames.join(', ')} from the job's mappings and scoping`,
    );
  if (s.bindDn && !opts.bindPassword)
    return fail(
      'ConfigurationError',
      `The system has a bindDn but no secret bindPassword: set it with PATCH /api/v1/systems/{id} {"secrets":{"bindPassword":"…"}}`,
    );
  for (const [name, filter] of [
    ['userFilter', scoped(s.userFilter)],
    ...(groups ? [['groupFilter', scoped(s.groupFilter)]] : []),
  ] as const) {
    try {
      FilterParser.parseString(filter);
    } catch (err) {
      return fail(
        'LdapInvalidFilter',
        `The ${name} ${filter} is not valid LDAP filter syntax (RFC 4515): ${(err as Error).message}`,
      );
    }
  }

  const tlsOptions = s.tls
    ? {
        ...(s.tls.ca ? { ca: s.tls.ca } : {}),
        ...(s.tls.rejectUnauthorized !== undefined
          ? { rejectUnauthorized: s.tls.rejectUnauthorized }
          : {}),
        ...(s.tls.servername ? { servername: s.tls.servername } : {}),
      }
    : undefined;
  const clientOptions: ClientOptions = {
    url: s.url,
    timeout: s.timeoutMs,
    connectTimeout: s.connectTimeoutMs,
    ...(tlsOptions ? { tlsOptions } : {}),
  };
  const client = new Client(clientOptions);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.unbind().catch(() => {});
  };
  const ctx = (operation: LdapErrorContext['operation'], baseDn?: string, filter?: string) => ({
    operation,
    url: s.url,
    ...(s.bindDn ? { bindDn: s.bindDn } : {}),
    ...(baseDn ? { baseDn } : {}),
    ...(filter ? { filter } : {}),
  });

  let schema: LdapSchema;
  let step: LdapErrorContext = ctx('connect');
  try {
    if (s.startTls) await client.startTLS(tlsOptions ?? {});
    step = ctx('bind');
    if (s.bindDn) await client.bind(s.bindDn, opts.bindPassword);
    step = ctx('schema');
    schema = await readLdapSchema(client);
    const bases = [...new Set([s.userBaseDn, ...(groups ? [s.groupBaseDn] : [])])];
    for (const base of bases) {
      step = ctx('search', base);
      await client.search(base, { scope: 'base', attributes: ['1.1'] });
    }
  } catch (err) {
    await close();
    const { code, reason } = classifyLdapError(err, step);
    return fail(code, reason);
  }

  const keyAttr = s.keyAttribute;
  const tsAttr = s.timestampAttribute;
  const ask = (wanted: readonly string[], extra: readonly string[]) => {
    const names = [...new Set([...wanted, ...extra, keyAttr, tsAttr])].filter(
      (n) => n.toLowerCase() !== 'dn',
    );
    return {
      attributes: names,
      // ldapts compares the name the server answers with: list every alias of binary types.
      explicitBufferAttributes: names
        .filter((n) => schema.isBinary(n))
        .flatMap((n) => schema.aliases(n)),
    };
  };
  const userAsk = ask(opts.userAttributes, s.userAttributes ?? []);
  const groupAsk = ask(opts.groupAttributes ?? [], [
    ...(s.groupAttributes ?? []),
    s.memberAttribute,
  ]);

  let newest: number | undefined;
  const keyOf = (entry: Entry): string | undefined =>
    keyAttr.toLowerCase() === 'dn'
      ? normalizeDn(entry.dn)
      : attributeValues(entry, keyAttr, schema)[0];
  const noteTime = (entry: Entry) => {
    const t = attributeValues(entry, tsAttr, schema)[0];
    const ms = t ? parseGeneralizedTime(t) : undefined;
    if (ms !== undefined && (newest === undefined || ms > newest)) newest = ms;
  };

  // Member DNs resolve to the keys of users read in this run; an incremental run, which reads
  // only changed users, first lists every user's DN and key (nothing else) when a group needs it.
  const keyByDn = new Map<string, string>();
  let indexed = !since;
  const indexUsers = async () => {
    indexed = true;
    for await (const page of client.searchPaginated(s.userBaseDn, {
      scope: 'sub',
      filter: s.userFilter,
      attributes: keyAttr.toLowerCase() === 'dn' ? ['1.1'] : [keyAttr],
      paged: { pageSize: s.pageSize },
    })) {
      for (const e of page.searchEntries) {
        const key = keyOf(e);
        if (key) keyByDn.set(normalizeDn(e.dn), key);
      }
    }
  };

  async function* search(
    objectType: LdapObjectType,
    base: string,
    filter: string,
    asked: ReturnType<typeof ask>,
    wanted: readonly string[],
  ): AsyncGenerator<LdapRow> {
    for await (const page of client.searchPaginated(base, {
      scope: 'sub',
      filter,
      ...asked,
      paged: { pageSize: s.pageSize },
    })) {
      for (const entry of page.searchEntries) {
        noteTime(entry);
        const key = keyOf(entry);
        if (!key) {
          yield {
            kind: 'row_error',
            objectType,
            code: 'MandatoryFieldsMissing',
            reason: `${entry.dn} has no ${keyAttr}, which identifies entries`,
          };
          continue;
        }
        const values = entryValues(entry, [...wanted, ...asked.attributes], schema);
        if (objectType === 'user') {
          keyByDn.set(normalizeDn(entry.dn), key);
          yield { kind: 'record', objectType, key, values };
          continue;
        }
        const memberDns = attributeValues(entry, s.memberAttribute, schema);
        const keys: string[] = [];
        const unresolved: string[] = [];
        for (const dn of memberDns) {
          let k = keyByDn.get(normalizeDn(dn));
          if (k === undefined && !indexed) {
            await indexUsers();
            k = keyByDn.get(normalizeDn(dn));
          }
          if (k === undefined) unresolved.push(dn);
          else keys.push(k);
        }
        yield { kind: 'record', objectType, key, values, members: { keys, unresolved } };
      }
    }
  }

  async function* rows(): AsyncGenerator<LdapRow> {
    let where = ctx('search', s.userBaseDn, scoped(s.userFilter));
    try {
      yield* search('user', s.userBaseDn, scoped(s.userFilter), userAsk, opts.userAttributes);
      if (groups) {
        where = ctx('search', s.groupBaseDn, scoped(s.groupFilter));
        yield* search(
          'group',
          s.groupBaseDn,
          scoped(s.groupFilter),
          groupAsk,
          opts.groupAttributes ?? [],
        );
      }
    } catch (err) {
      yield { kind: 'source_error', ...classifyLdapError(err, where) };
    } finally {
      await close();
    }
  }

  return {
    ok: true,
    source: {
      attributes: schema.known
        ? [
            'dn',
            ...schema.names(),
            ...[...opts.userAttributes, ...(opts.groupAttributes ?? [])].filter((a) =>
              schema.has(a),
            ),
          ]
        : ['dn', ...new Set([...opts.userAttributes, ...(opts.groupAttributes ?? [])])],
      rows: rows(),
      parameters,
      nextWatermark: () => {
        const previous = since ? parseGeneralizedTime(since) : undefined;
        // Entries changed while this run read may have been passed over: look again from a
        // margin before its start (which also covers clock skew), or from the newest entry seen.
        const margin = s.watermarkMarginSeconds * 1000;
        let next = newest === undefined ? previous : Math.min(newest, startedAt - margin);
        if (previous !== undefined && next !== undefined) next = Math.max(previous, next);
        return next === undefined ? undefined : formatGeneralizedTime(next);
      },
      close,
    },
  };
}
