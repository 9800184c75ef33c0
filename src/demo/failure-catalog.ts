import type { IdentityRef, Step } from '../model/entry.ts';
import type { Action, ObjectType } from '../model/enums.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import type { DemoSystem } from './demo-systems.ts';
import { SCIM_ENTERPRISE } from './payload-constants.ts';
import type { Person } from './people.ts';

// ---------------------------------------------------------------------------------------
// Failures: real catalog codes with the reasons connectors write.
// ---------------------------------------------------------------------------------------

export interface Subject {
  type: ObjectType;
  person: Person | undefined;
  name: string;
  /** The matching value (userName, group name, OU, role). */
  key: string;
  hubId: string;
  srcId: string;
  srcType: string;
  tgtId: string | undefined;
  tgtType: string;
  /** The identities as entries show them (shared, frozen). */
  srcRef: IdentityRef;
  tgtRef: IdentityRef;
  /** Made on first use and shared by the subject's entries. */
  imp: Step | undefined;
  match: Step | undefined;
  url: string | undefined;
  okBody: unknown;
  okCreate: unknown;
}

interface ReasonArgs {
  sys: DemoSystem;
  s: Subject;
  n: number;
  other: string;
}

export interface FailKind {
  code: string;
  http: number;
  weight: number;
  /** Actions it can happen on; null for any. */
  actions: readonly Action[] | null;
  /** Systems it can happen in; null for any. */
  systems: readonly string[] | null;
  /** The step that fails. */
  stage: 'import' | 'matching' | 'provision';
  transient: boolean;
  scimType?: string;
  reason: (x: ReasonArgs) => string;
}

function failKind(
  k: Omit<FailKind, 'transient' | 'stage' | 'http' | 'actions' | 'systems'> & Partial<FailKind>,
): FailKind {
  const info = lookupErrorCode(k.code);
  if (!info) throw new Error(`demo error code ${k.code} is not in the catalog`);
  return {
    stage: 'provision',
    http: 0,
    actions: null,
    systems: null,
    ...k,
    transient: info.transient,
  };
}

const THROTTLED = ['slack', 'github-enterprise', 'zoom', 'google-workspace', 'atlassian-cloud'];
export const OUTBOUND_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'EntryConflict',
    http: 409,
    weight: 16,
    actions: ['create', 'enable'],
    scimType: 'uniqueness',
    reason: ({ s, sys }) => `userName '${s.key}' already exists in ${sys.name}`,
  }),
  failKind({
    code: 'TooManyRequests',
    http: 429,
    weight: 14,
    systems: THROTTLED,
    reason: ({ sys, n }) =>
      `${sys.name} throttled the request (HTTP 429 Too Many Requests); Retry-After: ${n} s`,
  }),
  failKind({
    code: 'InternalServerError',
    http: 500,
    weight: 7,
    reason: ({ sys }) => `${sys.name} answered HTTP 500 Internal Server Error`,
  }),
  failKind({
    code: 'InternalServerError',
    http: 502,
    weight: 3,
    reason: ({ sys }) => `HTTP 502 Bad Gateway from the proxy in front of ${sys.name}`,
  }),
  failKind({
    code: 'ServiceUnavailable',
    http: 503,
    weight: 3,
    reason: ({ sys }) =>
      `${sys.name} is unavailable (HTTP 503 Service Unavailable): scheduled maintenance`,
  }),
  failKind({
    code: 'Timeout',
    weight: 6,
    reason: ({ sys }) => `No response from ${sys.name} within 30 seconds`,
  }),
  failKind({
    code: 'Unauthorized',
    http: 403,
    weight: 3,
    systems: ['zoom', 'servicenow', 'salesforce'],
    reason: ({ sys }) =>
      `${sys.name} refused the request (HTTP 403 Forbidden): the integration user lacks the permission to manage users`,
  }),
  failKind({
    code: 'MethodNotAllowed',
    http: 405,
    weight: 6,
    actions: ['delete'],
    systems: ['zoom', 'github-enterprise', 'atlassian-cloud'],
    reason: ({ sys }) =>
      `${sys.name} does not allow deleting users through SCIM (HTTP 405 Method Not Allowed)`,
  }),
  failKind({
    code: 'NotPermitted',
    http: 403,
    weight: 6,
    actions: ['delete', 'disable'],
    systems: ['feishu', 'google-workspace', 'servicenow'],
    reason: ({ sys, s }) =>
      `${sys.name} does not permit removing '${s.key}': the account owns resources that must be transferred by hand first`,
  }),
  failKind({
    code: 'InvalidAnchor',
    http: 404,
    weight: 6,
    actions: ['update', 'disable', 'delete', 'enable'],
    stage: 'matching',
    reason: ({ sys, s }) =>
      `The ${sys.name} user ${s.tgtId ?? ''} matched earlier (anchor externalId '${s.hubId}') no longer exists: it was deleted in ${sys.name}`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    http: 400,
    weight: 7,
    actions: ['create'],
    reason: () => `Required attribute 'email' is missing`,
  }),
  failKind({
    code: 'DuplicateTargetEntries',
    weight: 4,
    actions: ['create', 'update'],
    stage: 'matching',
    reason: ({ sys, s }) => `Matching on userName '${s.key}' returned 2 users in ${sys.name}`,
  }),
  failKind({
    code: 'LicenseLimitExceeded',
    http: 400,
    weight: 5,
    actions: ['create', 'enable'],
    systems: ['salesforce', 'zoom', 'github-enterprise', 'atlassian-cloud'],
    reason: ({ sys }) =>
      `${sys.name} has no licenses left to assign (${sys.id === 'salesforce' ? 250 : 500} of ${sys.id === 'salesforce' ? 250 : 500} in use)`,
  }),
  failKind({
    code: 'SchemaAttributeNotFound',
    http: 400,
    weight: 3,
    actions: ['create', 'update'],
    systems: ['github-enterprise', 'slack', 'atlassian-cloud'],
    reason: ({ sys }) => `Attribute '${SCIM_ENTERPRISE}:costCenter' is not in ${sys.name}'s schema`,
  }),
  failKind({
    code: 'InvalidDomain',
    http: 400,
    weight: 3,
    actions: ['create'],
    systems: ['google-workspace'],
    reason: ({ s }) =>
      `Domain 'contoso-partners.com' of '${s.key.split('@')[0]}@contoso-partners.com' is not a verified domain of this Google Workspace account`,
  }),
  failKind({
    code: 'ScimInvalidValue',
    http: 400,
    weight: 2,
    actions: ['create', 'update'],
    systems: ['servicenow', 'slack', 'zoom', 'atlassian-cloud'],
    scimType: 'invalidValue',
    reason: () =>
      `Attribute 'phoneNumbers[type eq "work"].value' has an invalid value '+44 20 7946 0958 ext. 12'`,
  }),
  failKind({
    code: 'UnprocessableEntity',
    http: 422,
    weight: 2,
    actions: ['update'],
    reason: ({ sys }) =>
      `${sys.name} could not process the request (HTTP 422): "Manager must be an active user"`,
  }),
  failKind({
    code: 'SchemaPropertyCanOnlyAcceptValue',
    weight: 1,
    actions: ['update', 'create'],
    systems: ['salesforce', 'servicenow'],
    reason: ({ sys }) =>
      `Property 'department' of ${sys.name} accepts one value, but the source has 2`,
  }),
  failKind({
    code: 'AuthenticationFailed',
    http: 401,
    weight: 1,
    reason: ({ sys }) =>
      `${sys.name} rejected provlog's OAuth token (HTTP 401 Unauthorized): the token expired`,
  }),
];

export const CSV_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'CsvMalformedRow',
    weight: 3,
    stage: 'import',
    reason: ({ n }) => `Row ${n} has 11 fields; the header has 12`,
  }),
  failKind({
    code: 'CsvInvalidValue',
    weight: 3,
    stage: 'import',
    reason: ({ n }) =>
      `Row ${n}: 'hireDate' value '31/02/2026' is not a date (expected YYYY-MM-DD)`,
  }),
  failKind({
    code: 'CsvInvalidValue',
    weight: 2,
    stage: 'import',
    reason: ({ n, other }) => `Row ${n}: 'managerId' value '${other}' is not a known employeeId`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    weight: 3,
    stage: 'import',
    reason: ({ n }) => `Row ${n}: required column 'email' is empty`,
  }),
  failKind({
    code: 'DuplicateSourceEntries',
    weight: 2,
    stage: 'matching',
    reason: ({ n, s }) => `employeeId '${s.srcId}' appears on rows ${n} and ${n + 117}`,
  }),
];

export const LDAP_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'LdapNoSuchObject',
    weight: 3,
    stage: 'provision',
    reason: ({ other, s }) => `Manager '${other}' of ${s.srcId} does not exist in Corp LDAP`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    weight: 2,
    stage: 'import',
    reason: ({ s }) => `Required attribute 'mail' is missing on ${s.srcId}`,
  }),
  failKind({
    code: 'DuplicateSourceEntries',
    weight: 1,
    stage: 'matching',
    reason: ({ s, other }) =>
      `employeeNumber '${s.person?.employeeId ?? ''}' is set on ${s.srcId} and ${other}`,
  }),
  failKind({
    code: 'ImportSkipped',
    weight: 1,
    stage: 'import',
    reason: () => `The entry has no value for the matching attribute employeeNumber`,
  }),
  failKind({
    code: 'LdapInsufficientAccess',
    weight: 1,
    stage: 'import',
    reason: ({ s }) =>
      `Reading 'manager' of ${s.srcId} was refused: insufficient access rights (LDAP result 50)`,
  }),
  failKind({
    code: 'LdapTimeout',
    weight: 2,
    stage: 'import',
    reason: ({ s }) => `Corp LDAP did not answer the read of ${s.srcId} within 10 seconds`,
  }),
];

export const CALLBACK_REJECTED = failKind({
  code: 'CallbackRejected',
  weight: 0,
  reason: ({ sys }) =>
    `${sys.name} reported through its callback that the change failed: "department_ids contains a department that does not exist"`,
});

export const CONFIRMABLE = new Set([
  'NotPermitted',
  'MethodNotAllowed',
  'Unauthorized',
  'InvalidAnchor',
  'NoCallback',
]);
export const FIXABLE = new Set([
  'EntryConflict',
  'MandatoryFieldsMissing',
  'DuplicateTargetEntries',
  'LicenseLimitExceeded',
  'SchemaAttributeNotFound',
  'InvalidDomain',
  'ScimInvalidValue',
  'UnprocessableEntity',
  'SchemaPropertyCanOnlyAcceptValue',
  'AuthenticationFailed',
  'RetriesExhausted',
  'CallbackRejected',
]);

export const PAST: Record<Action, string> = {
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
  disable: 'Disabled',
  enable: 'Enabled',
  staged_delete: 'Held for deletion',
  confirm: 'Confirmed',
  other: 'Changed',
};
export const TYPE_WORD: Record<ObjectType, string> = {
  user: 'User',
  group: 'Group',
  organization: 'Organization',
  account: 'Account',
  role: 'Role',
};
export const TYPE_LOWER: Record<ObjectType, string> = {
  user: 'user',
  group: 'group',
  organization: 'organization',
  account: 'account',
  role: 'role',
};
