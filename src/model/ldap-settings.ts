import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FieldError } from './validation-error.ts';

const Dn = Type.String({ minLength: 1, maxLength: 2000 });
const Filter = Type.String({ minLength: 3, maxLength: 8000, pattern: '^\\(.*\\)$' });
const AttributeName = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[A-Za-z0-9][A-Za-z0-9;.-]*$',
});

/**
 * The settings of an `ldap` system. The bind password is not here: it is the system's secret
 * `bindPassword`, encrypted at rest.
 */
export const LdapSettings = Type.Object(
  {
    /** `ldap://host:389` or `ldaps://host:636` (protocol, host and port only). */
    url: Type.String({ maxLength: 2000, pattern: '^ldaps?://[^/?#@\\s]+/?$' }),
    /** Simple bind as this DN with the secret `bindPassword`; none = anonymous. */
    bindDn: Type.Optional(Dn),
    baseDn: Dn,
    /** Where users and groups live (default: baseDn). */
    userBaseDn: Type.Optional(Dn),
    groupBaseDn: Type.Optional(Dn),
    userFilter: Type.Optional(Filter),
    groupFilter: Type.Optional(Filter),
    /** Attributes to read besides those the job's mappings and scoping name. */
    userAttributes: Type.Optional(Type.Array(AttributeName, { maxItems: 200 })),
    groupAttributes: Type.Optional(Type.Array(AttributeName, { maxItems: 200 })),
    /** The group attribute that lists member DNs: member (groupOfNames) or uniqueMember. */
    memberAttribute: Type.Optional(AttributeName),
    /** What identifies an entry across renames: entryUUID (default), or `dn`. */
    keyAttribute: Type.Optional(AttributeName),
    /** The attribute incremental runs compare with their watermark (default modifyTimestamp). */
    timestampAttribute: Type.Optional(AttributeName),
    /** Runs import only what changed since the last good run, unless a full run is asked for. */
    incremental: Type.Optional(Type.Boolean()),
    /**
     * How far before a run's start the next incremental run looks again (default 300): entries
     * changed while a run reads may be passed over, and clocks differ.
     */
    watermarkMarginSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** Per LDAP operation, in milliseconds. */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
    /** Upgrade an ldap:// connection with StartTLS before binding. */
    startTls: Type.Optional(Type.Boolean()),
    tls: Type.Optional(
      Type.Object(
        {
          /** PEM of the CA(s) that signed the server's certificate (else the system's CAs). */
          ca: Type.Optional(Type.String({ maxLength: 100_000 })),
          /** false accepts any certificate: for test directories only. */
          rejectUnauthorized: Type.Optional(Type.Boolean()),
          servername: Type.Optional(Type.String({ maxLength: 500 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type LdapSettings = Static<typeof LdapSettings>;

/** Settings with every default filled in. */
export type ResolvedLdapSettings = LdapSettings &
  Required<
    Pick<
      LdapSettings,
      | 'userBaseDn'
      | 'groupBaseDn'
      | 'userFilter'
      | 'groupFilter'
      | 'memberAttribute'
      | 'keyAttribute'
      | 'timestampAttribute'
      | 'pageSize'
      | 'timeoutMs'
      | 'connectTimeoutMs'
      | 'watermarkMarginSeconds'
    >
  >;

const check = TypeCompiler.Compile(LdapSettings);

/** Validates an ldap system's settings; field paths are under `/settings`. */
export function parseLdapSettings(
  raw: unknown,
): { ok: true; settings: ResolvedLdapSettings } | { ok: false; errors: FieldError[] } {
  if (!check.Check(raw)) {
    const errors: FieldError[] = [];
    for (const e of check.Errors(raw)) {
      const field = `/settings${e.path}`;
      if (!errors.some((x) => x.field === field)) errors.push({ field, message: e.message });
    }
    return { ok: false, errors };
  }
  const s = raw;
  if (s.startTls && s.url.startsWith('ldaps:'))
    return {
      ok: false,
      errors: [
        {
          field: '/settings/startTls',
          message: 'ldaps:// is TLS already; use ldap:// with startTls',
        },
      ],
    };
  return {
    ok: true,
    settings: {
      ...s,
      userBaseDn: s.userBaseDn ?? s.baseDn,
      groupBaseDn: s.groupBaseDn ?? s.baseDn,
      userFilter: s.userFilter ?? '(objectClass=inetOrgPerson)',
      groupFilter: s.groupFilter ?? '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
      memberAttribute: s.memberAttribute ?? 'member',
      keyAttribute: s.keyAttribute ?? 'entryUUID',
      timestampAttribute: s.timestampAttribute ?? 'modifyTimestamp',
      pageSize: s.pageSize ?? 500,
      timeoutMs: s.timeoutMs ?? 30_000,
      connectTimeoutMs: s.connectTimeoutMs ?? 10_000,
      watermarkMarginSeconds: s.watermarkMarginSeconds ?? 300,
    },
  };
}
