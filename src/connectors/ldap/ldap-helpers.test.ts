import {
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  SizeLimitExceededError,
  UnavailableError,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import { lookupErrorCode } from '../../model/error-codes.ts';
import { classifyLdapError } from './classify-ldap-error.ts';
import { formatGeneralizedTime, parseGeneralizedTime } from './entry-values.ts';
import { LdapSchema } from './ldap-schema.ts';
import { normalizeDn } from './normalize-dn.ts';

const ctx = {
  operation: 'search' as const,
  url: 'ldap://dir:389',
  bindDn: 'cn=svc',
  baseDn: 'dc=x',
};

describe('classifyLdapError', () => {
  it('maps LDAP result codes and socket failures to catalog codes', () => {
    const cases: Array<[unknown, string]> = [
      [new InvalidCredentialsError(), 'LdapBindFailed'],
      [new NoSuchObjectError(), 'LdapNoSuchObject'],
      [new InsufficientAccessError(), 'LdapInsufficientAccess'],
      [new SizeLimitExceededError(), 'LdapSizeLimitExceeded'],
      [new UnavailableError(), 'LdapUnreachable'],
      [
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        'LdapUnreachable',
      ],
      [Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 'LdapUnreachable'],
      [new Error('Connection timeout'), 'LdapTimeout'],
      [new Error('SearchRequest: Operation timed out'), 'LdapTimeout'],
      [new Error('self-signed certificate in certificate chain'), 'LdapTlsFailed'],
      [new Error('something odd'), 'LdapProtocolError'],
    ];
    for (const [err, code] of cases) {
      const out = classifyLdapError(err, ctx);
      expect(out.code, String(err)).toBe(code);
      expect(lookupErrorCode(out.code), out.code).toBeDefined();
      expect(out.reason.length).toBeGreaterThan(10);
    }
    expect(classifyLdapError(new InsufficientAccessError(), ctx).reason).toContain('cn=svc');
  });
});

describe('normalizeDn', () => {
  it('compares DNs the way directories do: case and spaces around separators ignored', () => {
    expect(normalizeDn('UID=Bob, OU=People ,dc=Example,dc=org')).toBe(
      normalizeDn('uid=bob,ou=people,dc=example,dc=org'),
    );
    expect(normalizeDn('cn=Lee\\, Ann,ou=x')).toBe('cn=lee\\, ann,ou=x');
    expect(normalizeDn('cn=a+uid=b,ou=x')).toBe(normalizeDn('UID=b+CN=a,ou=x'));
    expect(normalizeDn('uid=a,ou=x')).not.toBe(normalizeDn('uid=a,ou=y'));
  });
});

describe('LdapSchema', () => {
  const schema = LdapSchema.parse([
    "( 2.5.4.41 NAME 'name' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
    "( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )",
    "( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )",
    "( 0.9.2342.19200300.100.1.60 NAME 'jpegPhoto' SYNTAX 1.3.6.1.4.1.1466.115.121.1.28 )",
  ]);
  it('knows names and aliases case-insensitively, and which types hold bytes', () => {
    expect(schema.has('CommonName')).toBe(true);
    expect(schema.has('jobTitel')).toBe(false);
    expect(schema.same('sn', 'Surname')).toBe(true);
    expect(schema.same('sn', 'cn')).toBe(false);
    expect(schema.isBinary('jpegPhoto')).toBe(true);
    expect(schema.isBinary('cn')).toBe(false);
    expect(LdapSchema.unknown().has('anything')).toBe(true);
  });
});

describe('GeneralizedTime', () => {
  it('parses the forms directories write and formats at second precision', () => {
    const ms = Date.UTC(2026, 10, 23, 16, 18, 18);
    expect(parseGeneralizedTime('20261123161818Z')).toBe(ms);
    expect(parseGeneralizedTime('20261123161818.0Z')).toBe(ms); // Active Directory
    expect(parseGeneralizedTime('20261123171818+0100')).toBe(ms);
    expect(parseGeneralizedTime('yesterday')).toBeUndefined();
    expect(formatGeneralizedTime(ms + 999)).toBe('20261123161818Z');
  });
});
