import type { ErrorCategoryValue } from './enums.ts';

/** `transient`: provlog retries automatically under the job's retry policy; `permanent`: it does not. */
export type ErrorCategory = ErrorCategoryValue;

/** One provisioning error code: what it means, what to do, and whether it is retried. */
export interface ErrorCodeInfo {
  /** Stable code written to `entry.errorCode`. */
  code: string;
  /** Other spellings that resolve to this code (Entra's synonyms, folded protocol cases). */
  aliases: readonly string[];
  title: string;
  description: string;
  recommendation: string;
  transient: boolean;
  /** Where the failure comes from, to group codes in the console and the docs. */
  origin: 'target' | 'source' | 'service' | 'csv' | 'ldap' | 'scim' | 'callback';
}

const RETRIED_AUTOMATICALLY =
  "Nothing to do at first: provlog retries the change automatically according to the job's retry policy.";

// Entra lists these four as synonyms of one error. They stay separate codes because a
// connector reports InsufficientRights on its own (HTTP 403), but they share one text.
const NOT_AUTHORIZED_DESCRIPTION =
  'provlog authenticated with the target, but the target refused to let it perform this operation (for example HTTP 403 or 405): the account or token provlog uses lacks the permission, or the operation is not allowed on this object.';
const NOT_AUTHORIZED_RECOMMENDATION =
  "Grant the account or token provlog uses the rights this operation needs in the target, following the application's provisioning instructions, then retry the entry. If the target does not support the operation at all (for example deleting users), change the job so provlog stops sending it.";

/**
 * The provisioning error catalog: every code of the Entra ID provisioning-log table plus
 * what provlog's own connectors and engine meet. Codes and aliases are unique,
 * case-insensitively; a code once published is never renamed (logs keep it forever).
 */
export const ERROR_CODES = freezeCatalog([
  // --- The Entra ID provisioning-log table (seed 002), in its order ---
  {
    code: 'EntryConflict',
    // A SCIM 409 with scimType "uniqueness" is exactly this conflict, so it shares the code.
    aliases: ['Conflict', 'ScimUniqueness'],
    title: 'Conflicting entry',
    description:
      'The target rejected the change because an object with the same unique value (for example userName or email) already exists there (HTTP 409, or SCIM scimType uniqueness), and it is not the object provlog matched.',
    recommendation:
      "Correct the conflicting value in the source or in the target. If the existing object in the target is the same person or group, fix the job's matching attribute so that provlog matches and takes it over instead of creating a new one, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'TooManyRequests',
    aliases: [],
    title: 'Too many requests',
    description:
      'The target is throttling provlog: it refused the request because it is overloaded or received too many requests (HTTP 429).',
    recommendation: `${RETRIED_AUTOMATICALLY} The retry waits at least as long as the target's Retry-After header asks. If it happens on every cycle, ask the application's owner about its rate limits.`,
    transient: true,
    origin: 'target',
  },
  {
    code: 'InternalServerError',
    // 502 says as little about the cause as 500 does; one code keeps "top errors" honest.
    aliases: ['BadGateway'],
    title: 'Target server error',
    description:
      'The target answered with an unexpected server error (HTTP 500, 502 or another 5xx status): a service issue in the target application is probably preventing it from working.',
    recommendation: `${RETRIED_AUTOMATICALLY} If the retries run out, read the response payload on the entry, check the target's status and contact the application's owner.`,
    transient: true,
    origin: 'target',
  },
  {
    code: 'InsufficientRights',
    aliases: [],
    title: 'Insufficient rights',
    description: NOT_AUTHORIZED_DESCRIPTION,
    recommendation: NOT_AUTHORIZED_RECOMMENDATION,
    transient: false,
    origin: 'target',
  },
  {
    code: 'MethodNotAllowed',
    aliases: [],
    title: 'Method not allowed',
    description: NOT_AUTHORIZED_DESCRIPTION,
    recommendation: NOT_AUTHORIZED_RECOMMENDATION,
    transient: false,
    origin: 'target',
  },
  {
    code: 'NotPermitted',
    aliases: [],
    title: 'Operation not permitted',
    description: NOT_AUTHORIZED_DESCRIPTION,
    recommendation: NOT_AUTHORIZED_RECOMMENDATION,
    transient: false,
    origin: 'target',
  },
  {
    code: 'Unauthorized',
    aliases: [],
    title: 'Not authorized',
    description: NOT_AUTHORIZED_DESCRIPTION,
    recommendation: NOT_AUTHORIZED_RECOMMENDATION,
    transient: false,
    origin: 'target',
  },
  {
    code: 'UnprocessableEntity',
    aliases: [],
    title: 'Unprocessable request',
    description:
      "The target understood the request but refused to process it without a more specific reason (HTTP 422). The target's configuration may be wrong, or a service issue in the target may be preventing it from working.",
    recommendation:
      "Read the response payload on the entry for the target's own explanation, check the application's provisioning settings and the job's attribute mappings, correct them, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'WebExceptionProtocolError',
    aliases: [],
    title: 'HTTP protocol error',
    description:
      'An HTTP protocol error occurred while provlog talked to the target: the connection was refused or reset, or the exchange broke off before a valid HTTP response came back.',
    recommendation: `${RETRIED_AUTOMATICALLY} If it keeps failing, check that the target's address is reachable from provlog and that its TLS certificate is valid.`,
    transient: true,
    origin: 'target',
  },
  {
    code: 'InvalidAnchor',
    aliases: [],
    title: 'Anchored object no longer exists',
    description:
      'An object that provlog created or matched earlier no longer exists in the target: the anchor provlog keeps between the source id and the target id points to nothing.',
    recommendation:
      'Check whether the object was deleted or re-created by hand in the target. Restore it, or run a full cycle of the job so that provlog matches every object against the target again; a full cycle re-evaluates all objects and can take a while on a large directory.',
    transient: false,
    origin: 'target',
  },
  {
    code: 'NotImplemented',
    aliases: [],
    title: 'Operation not implemented',
    description:
      'The target answered that it does not implement the requested operation (HTTP 501), or gave another unexpected response: its configuration may be wrong, or it does not support this operation.',
    recommendation:
      "Check the application's provisioning instructions for the operations it supports (for example PATCH or DELETE), adjust the job accordingly, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'MandatoryFieldsMissing',
    aliases: ['MissingValues'],
    title: 'Required values missing',
    description:
      'The object could not be created because attributes the target requires have no value: the source record lacks them, or no attribute mapping provides them.',
    recommendation:
      'Fill in the missing values in the source record, or add or fix the attribute mappings that provide them, then retry the entry.',
    transient: false,
    origin: 'source',
  },
  {
    code: 'SchemaAttributeNotFound',
    aliases: [],
    title: 'Attribute not in target schema',
    description:
      "The operation named an attribute that does not exist in the target application's schema.",
    recommendation:
      "Check the job's attribute mappings against the target's schema, remove or rename the attribute, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'InternalError',
    aliases: [],
    title: 'provlog internal error',
    description: 'An internal error occurred inside provlog while it processed the change.',
    recommendation: `${RETRIED_AUTOMATICALLY} If it persists, check provlog's own logs around the time of the entry and report the issue with the entry's change id.`,
    transient: true,
    origin: 'service',
  },
  {
    code: 'InvalidDomain',
    aliases: [],
    title: 'Invalid domain',
    description:
      'An attribute value contains a domain name the target does not accept, for example an email address or userName whose domain is not verified in the application.',
    recommendation:
      "Correct the domain in the source value or in the mapping, or add the domain to the target's permitted domains, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'Timeout',
    // A 504 from a gateway in front of the target is the same wait, seen from the middle.
    aliases: ['GatewayTimeout'],
    title: 'Timed out',
    description:
      "The target took too long to respond and provlog stopped waiting (the connector's request timeout, or HTTP 504 from a gateway in front of the target).",
    recommendation: `${RETRIED_AUTOMATICALLY} If timeouts are frequent, check the target's health or raise the request timeout in the system's settings.`,
    transient: true,
    origin: 'target',
  },
  {
    code: 'LicenseLimitExceeded',
    aliases: [],
    title: 'No license available',
    description:
      'The target could not create the object because it has no license left to assign to it.',
    recommendation:
      "Procure more licenses in the target application, or review who is in the job's scope and its attribute mappings so that only the right people are provisioned, then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'DuplicateTargetEntries',
    aliases: [],
    title: 'Several matches in the target',
    description:
      "More than one object in the target has the value of the job's matching attribute, so provlog cannot tell which one this object is.",
    recommendation:
      'Remove or merge the duplicate objects in the target, or choose a matching attribute that is unique there, then retry the entry.',
    transient: false,
    origin: 'target',
  },
  {
    code: 'DuplicateSourceEntries',
    aliases: [],
    title: 'Several matches in the source',
    description:
      "More than one object in the source has the same value for the job's matching attribute, so provlog cannot tell which one to provision.",
    recommendation:
      'Remove the duplicate from the source, or choose a matching attribute that is unique in the source, then retry the entry.',
    transient: false,
    origin: 'source',
  },
  {
    code: 'ImportSkipped',
    aliases: [],
    title: 'Import skipped',
    description:
      "provlog imported the object from the source, but it has no value for the job's matching attribute, so scoping, matching and provisioning could not run. This does not mean the object is in scope: scoping was never evaluated.",
    recommendation:
      'Give the object a value for the matching attribute in the source, or make the job match on an attribute that every object has.',
    transient: false,
    origin: 'source',
  },
  {
    code: 'EntrySynchronizationSkipped',
    aliases: [],
    title: 'Synchronization skipped',
    description:
      'provlog read the object from the source and took no further action: it was out of scope, or it already existed in the target with nothing to change.',
    recommendation:
      "Nothing to do if this is expected. If the object should have been provisioned, check the job's scoping filter and the steps of the entry to see why it was left out.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
    aliases: [],
    title: 'SCIM: several resources returned for one',
    description:
      "A SCIM GET for one user or group returned several resources where provlog expects exactly one, for example because the endpoint ignored the filter provlog sent, or returned a group's members as resources of their own.",
    recommendation:
      "Ask the application's developer to make the SCIM endpoint honour filters and attribute exclusion (RFC 7644 section 3.4.2) and return a single resource for a lookup by id or by a unique attribute.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
    aliases: [],
    title: 'SCIM: incompatible service',
    description:
      "provlog could not parse the target's SCIM response: the endpoint does not follow SCIM 2.0 (RFC 7643 and 7644) in a way provlog can work with.",
    recommendation:
      "Work with the application's developer to make the SCIM endpoint compliant with SCIM 2.0; the request and response payloads on the entry show what was sent and what came back.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'SchemaPropertyCanOnlyAcceptValue',
    aliases: [],
    title: 'Single-valued attribute given several values',
    description:
      'The attribute in the target accepts a single value, but the source attribute mapped to it holds several.',
    recommendation:
      'Map a single-valued source attribute to it, make the source value single-valued, or remove the attribute from the mappings, then retry the entry.',
    transient: false,
    origin: 'target',
  },

  // --- HTTP targets (SCIM connector and external engines) ---
  {
    code: 'ServiceUnavailable',
    aliases: [],
    title: 'Target unavailable',
    description:
      'The target is temporarily unavailable (HTTP 503), for example during maintenance or under overload.',
    recommendation: `${RETRIED_AUTOMATICALLY} The retry honours the target's Retry-After header. If it lasts, check the target's status or contact its owner.`,
    transient: true,
    origin: 'target',
  },
  {
    code: 'RedirectNotFollowed',
    aliases: [],
    title: 'Redirect not followed',
    description:
      'The target answered with a redirect (HTTP 3xx). provlog does not follow redirects, so that credentials are never sent to an address nobody configured.',
    recommendation:
      "Set the system's base URL to the address the target redirects to (often http changed to https, or a missing path segment), then retry the entry.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'ResponseTooLarge',
    aliases: [],
    title: 'Response too large',
    description:
      "The target's response was larger than provlog accepts for a single response, so provlog stopped reading it.",
    recommendation:
      "Check that the request asks only for what it needs (lists paged with a small count, group members excluded where they are not needed). If the response is legitimately large, raise the response size limit in the system's settings.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'InvalidResponseBody',
    aliases: [],
    title: 'Unusable response body',
    description:
      'The target answered with a body provlog could not use: not JSON, not the expected shape, or a success status (such as 200) whose body describes an error.',
    recommendation:
      "Inspect the response payload on the entry. A proxy or a login page in front of the target often causes this: check the system's base URL and authentication, or ask the application's developer to return proper responses.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'BadRequest',
    aliases: [],
    title: 'Bad request',
    description:
      'The target rejected the request as invalid (HTTP 400) without saying which rule it broke (no SCIM scimType).',
    recommendation:
      "Read the target's detail in the response payload and compare the request payload with the target's schema; correct the value or the job's attribute mappings, then retry the entry.",
    transient: false,
    origin: 'target',
  },

  // --- SCIM error responses by scimType (RFC 7644 section 3.12); uniqueness is EntryConflict ---
  {
    code: 'ScimInvalidFilter',
    aliases: [],
    title: 'SCIM: invalid filter',
    description:
      'The target rejected the SCIM filter provlog sent as malformed or unsupported (scimType invalidFilter).',
    recommendation:
      "Check the job's matching attribute: the target may not support filtering on it. Choose an attribute the target can filter on (userName is the most widely supported), then retry the entry.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimTooMany',
    aliases: [],
    title: 'SCIM: too many results',
    description:
      'The target refused the query because it would return or process more resources than it allows (scimType tooMany).',
    recommendation:
      'Make lookups filter on a unique attribute and page list requests with a smaller count, then run the job again.',
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimMutability',
    aliases: [],
    title: 'SCIM: attribute cannot be changed',
    description:
      'The change tried to modify an attribute the target treats as read-only or immutable (scimType mutability), such as id or an attribute that can only be set when the object is created.',
    recommendation:
      'Remove the attribute from the mappings applied on update (keep it for creation only), then retry the entry.',
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimInvalidSyntax',
    aliases: [],
    title: 'SCIM: invalid request syntax',
    description:
      'The target could not parse the request body, or found that it does not follow the SCIM schema (scimType invalidSyntax).',
    recommendation:
      "Compare the request payload on the entry with the target's schema: look for mapped values of the wrong type or shape (a string where a boolean or a complex attribute is expected), correct the mapping, then retry the entry.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimInvalidPath',
    aliases: [],
    title: 'SCIM: invalid PATCH path',
    description:
      'The path of a PATCH operation was invalid or is not supported by the target (scimType invalidPath).',
    recommendation:
      "Check the attribute names in the job's mappings against the target's schema, including extension attributes with their full schema URN. If the target does not support PATCH on this attribute, report it to the application's developer.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimNoTarget',
    aliases: [],
    title: 'SCIM: PATCH path matched nothing',
    description:
      'The path of a PATCH operation matched no attribute or value in the target (scimType noTarget), for example a group member that is no longer in the group.',
    recommendation:
      'The object in the target has drifted from what provlog last saw. Run a full cycle of the job so provlog reads the target again, then retry the entry.',
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimInvalidValue',
    aliases: [],
    title: 'SCIM: invalid value',
    description:
      "The target rejected a value: a required attribute is missing, or a value does not fit the attribute's type or allowed values (scimType invalidValue).",
    recommendation:
      "Read the target's detail in the response payload, correct the value in the source or in the mapping, then retry the entry.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimInvalidVers',
    aliases: [],
    title: 'SCIM: protocol version not supported',
    description:
      'The target does not support the SCIM protocol version provlog used (scimType invalidVers).',
    recommendation:
      "Check that the system's base URL points to the target's SCIM 2.0 endpoint (often ending in /scim/v2) and not to an older version of its API.",
    transient: false,
    origin: 'scim',
  },
  {
    code: 'ScimSensitive',
    aliases: [],
    title: 'SCIM: sensitive data in the URL',
    description:
      'The target refused the request because it carried sensitive or personal information in the URL, such as a filter on a personal attribute (scimType sensitive).',
    recommendation:
      'Choose a matching attribute that the target accepts in a query URL; the response payload on the entry shows what it objected to.',
    transient: false,
    origin: 'scim',
  },

  // --- CSV sources ---
  {
    code: 'CsvUnreadable',
    aliases: [],
    title: 'CSV file unreadable',
    description:
      'provlog could not open or read the CSV file (missing, unreadable, empty or not text), so none of its rows were processed and the task failed.',
    recommendation:
      'Check that the file exists, that provlog may read it and that it is a CSV export, then upload it again or re-trigger the task.',
    transient: false,
    origin: 'csv',
  },
  {
    code: 'CsvMissingHeader',
    aliases: [],
    title: 'CSV header missing',
    description:
      'The CSV file has no header row, or its header lacks a column the job needs (such as the matching attribute), so its rows could not be read.',
    recommendation:
      "Add a header row with the column names the job's mappings use, then upload the file again.",
    transient: false,
    origin: 'csv',
  },
  {
    code: 'CsvMalformedRow',
    aliases: [],
    title: 'CSV row malformed',
    description:
      'A row of the CSV file could not be parsed: it has a different number of columns from the header, or its quoting is broken. The row was not imported; the other rows were.',
    recommendation:
      'Fix the row at the line given in the reason (quote values that contain commas, quotes or line breaks, and double the quotes inside a quoted value), then upload the file again.',
    transient: false,
    origin: 'csv',
  },
  {
    code: 'CsvInvalidEncoding',
    aliases: [],
    title: 'CSV encoding invalid',
    description:
      'The CSV file contains bytes that are not valid UTF-8, so names and other values would be garbled.',
    recommendation:
      'Export the file again as UTF-8 (with or without a byte order mark), then upload it again.',
    transient: false,
    origin: 'csv',
  },
  {
    code: 'CsvInvalidValue',
    aliases: [],
    title: 'CSV value invalid',
    description:
      'A value in a row does not have the type or format its column requires (for example a date, a boolean or an email address that does not parse). The row was not imported.',
    recommendation:
      'Correct the value at the line and column given in the reason, in the file or in the system that exports it, then upload the file again.',
    transient: false,
    origin: 'csv',
  },

  // --- LDAP sources (result codes from RFC 4511) ---
  {
    code: 'LdapBindFailed',
    aliases: [],
    title: 'LDAP bind failed',
    description:
      "The LDAP directory rejected provlog's bind: the bind DN or password is wrong, or the account is locked or expired (result code 49, invalidCredentials).",
    recommendation:
      "Update the bind DN and password in the system's settings and check that the account is enabled in the directory, then run the import again.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapUnreachable',
    aliases: [],
    title: 'LDAP server unreachable',
    description:
      'provlog could not reach the LDAP server: the host name did not resolve, the server refused or dropped the connection, or it answered busy or unavailable (result codes 51 and 52).',
    recommendation: `${RETRIED_AUTOMATICALLY} If it lasts, check the server's address and port in the system's settings, the network path from provlog, and that the server is running.`,
    transient: true,
    origin: 'ldap',
  },
  {
    code: 'LdapTimeout',
    aliases: [],
    title: 'LDAP timed out',
    description:
      'The LDAP server did not answer within the time provlog waits, or reported that the search ran past its time limit (result code 3, timeLimitExceeded).',
    recommendation: `${RETRIED_AUTOMATICALLY} If it keeps happening, narrow the import's base DN or filter, or raise the timeout in the system's settings.`,
    transient: true,
    origin: 'ldap',
  },
  {
    code: 'LdapSizeLimitExceeded',
    aliases: [],
    title: 'LDAP size limit exceeded',
    description:
      'The LDAP server stopped returning entries because the search matched more than its size limit allows (result code 4, sizeLimitExceeded), so the import is incomplete.',
    recommendation:
      "Make sure the import uses paged results, narrow its base DN or filter, or raise the size limit for provlog's bind account on the server, then run the import again.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapNoSuchObject',
    aliases: [],
    title: 'LDAP base DN not found',
    description:
      'The base DN of the search, or the entry it named, does not exist in the directory (result code 32, noSuchObject).',
    recommendation:
      "Correct the base DN in the system's settings: check its spelling, and that it exists, with ldapsearch or an LDAP browser.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapInsufficientAccess',
    aliases: [],
    title: 'LDAP access denied',
    description:
      "provlog's bind account is authenticated but may not read the requested entries or attributes (result code 50, insufficientAccessRights).",
    recommendation:
      "Grant the bind account read access to the base DN and to the attributes the job maps, in the directory's access control, then run the import again.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapInvalidFilter',
    aliases: [],
    title: 'LDAP filter invalid',
    description:
      'The LDAP search filter is malformed: it could not be encoded or the server rejected it (result code 87, filterError).',
    recommendation:
      "Correct the filter in the job's or system's settings: balance its parentheses and escape the asterisk, parentheses, backslash and NUL in values as RFC 4515 requires.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapProtocolError',
    aliases: [],
    title: 'LDAP protocol error',
    description:
      'The LDAP server answered with a protocol error or a response provlog could not decode (result code 2, protocolError): the server does not support an operation or control provlog used, or the port does not speak LDAP.',
    recommendation:
      "Check that the system's address points to an LDAP port (389 for ldap, 636 for ldaps) and that the server supports LDAPv3 and the paged results control.",
    transient: false,
    origin: 'ldap',
  },
  {
    code: 'LdapTlsFailed',
    aliases: [],
    title: 'LDAP TLS failed',
    description:
      "The secure connection to the LDAP server could not be set up: its certificate is not trusted, has expired or does not name the host, or the server requires TLS that the system's settings do not use (result codes 8 and 13).",
    recommendation:
      "Give the CA that signed the server's certificate in the system's TLS settings (tls.ca), check the host name in the URL against the certificate, or switch to ldaps:// or startTls when the server demands a secure connection, then run the import again.",
    transient: false,
    origin: 'ldap',
  },

  // --- Asynchronous targets that confirm by callback ---
  {
    code: 'NoCallback',
    aliases: [],
    title: 'No confirmation received',
    description:
      'The target accepted the change and was to confirm it by callback, but no confirmation came in time: provlog cannot tell whether the change was applied, so the entry is not_verifiable.',
    recommendation:
      'Check in the target whether the change was made: if it was, confirm the entry; if not, retry it. If callbacks never arrive, check the callback URL and credentials configured in the target.',
    transient: false,
    origin: 'callback',
  },
  {
    code: 'CallbackRejected',
    aliases: [],
    title: 'Rejected by callback',
    description:
      "The target first accepted the change, then reported through its callback that it failed or refused it. The reason it gave, if any, is in the entry's response.",
    recommendation:
      "Read the reason the target gave, correct the data or the target's configuration, then retry the entry.",
    transient: false,
    origin: 'callback',
  },

  // --- provlog's engine ---
  {
    code: 'DeletionThresholdExceeded',
    aliases: [],
    title: 'Held by deletion protection',
    description:
      "The cycle would delete or disable more objects than the job's deletion protection allows, so provlog held this change as staged_delete instead of applying it.",
    recommendation:
      "Review the cycle's staged deletions. If they are expected, approve them; if not, fix the cause (often an empty or partial source export, or a changed scoping filter) and run the job again.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'JobQuarantined',
    aliases: [],
    title: 'Job quarantined',
    description:
      'The job is quarantined because its failures passed the configured threshold, so provlog did not process this object. provlog tries the job again on a widening schedule.',
    recommendation:
      "Open the job's health to see why it was quarantined, fix that cause (often credentials or the target's address), then resume the job.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'MappingAttributeNotFound',
    aliases: [],
    title: 'Mapped source attribute not found',
    description:
      'An attribute mapping of the job names a source attribute that the source does not provide, so the value could not be computed.',
    recommendation:
      "Correct the attribute name in the job's mappings or add the attribute to the source, then retry the entry.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'InvalidScopingFilter',
    aliases: [],
    title: 'Invalid scoping filter',
    description:
      "The job's scoping filter cannot be evaluated: it is malformed, or it refers to an attribute or operator that does not exist.",
    recommendation:
      "Correct the job's scoping filter, then run the job again; until then no object can be evaluated for scope.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'AuthenticationFailed',
    aliases: [],
    title: 'Authentication failed',
    description:
      "A connected system rejected provlog's credentials (for example HTTP 401): the token or secret is wrong, expired or revoked.",
    recommendation:
      "Update the credentials in the system's settings and run the job again. Every object of the job fails until they are fixed, which is why this failure raises an alert at once.",
    transient: false,
    origin: 'target',
  },
  {
    code: 'ConfigurationError',
    aliases: [],
    title: 'Configuration error',
    description:
      "The job's or system's configuration is incomplete or invalid (for example a missing base URL or an unknown object type), so provlog could not run it.",
    recommendation: 'Correct the settings the reason names, then run the job again.',
    transient: false,
    origin: 'service',
  },
  {
    code: 'TaskOrphaned',
    aliases: [],
    title: 'Task interrupted',
    description:
      'The task was still running when provlog stopped unexpectedly; provlog closed it on restart. Objects it had not reached yet were not processed.',
    recommendation:
      "Re-trigger the task to process the remaining objects; objects already provisioned are matched, not duplicated. If it happens again, check provlog's own logs for why the process stopped.",
    transient: false,
    origin: 'service',
  },
  {
    code: 'RetriesExhausted',
    aliases: [],
    title: 'Retries exhausted',
    description:
      "Every automatic attempt the job's retry policy allows has failed, and provlog will not retry this change again on its own. The earlier attempts carry the underlying error.",
    recommendation:
      'Read the error of the last attempt and fix its cause, then retry the entry by hand.',
    transient: false,
    origin: 'service',
  },
  {
    code: 'GroupMemberNotProvisioned',
    aliases: [],
    title: 'Group member not provisioned',
    description:
      "One or more members of a group could not be provisioned to the target (each member's own entry says why), so the group's membership was pushed without them. provlog retries the group, which then adds the members that exist in the target by then.",
    recommendation:
      "Open the entries of the members named in the reason and resolve them (retry or confirm); the group's next attempt adds them. Members that are out of the job's scope are not counted here.",
    transient: true,
    origin: 'service',
  },
] as const satisfies readonly ErrorCodeInfo[]);

/** Every primary code of the catalog. */
export type ErrorCode = (typeof ERROR_CODES)[number]['code'];

/** A catalog entry, with its code typed as a known one. */
export type KnownErrorCodeInfo = ErrorCodeInfo & { readonly code: ErrorCode };

// Codes come from connectors, ingested events and URLs in any casing; one map answers all.
const BY_NAME: ReadonlyMap<string, KnownErrorCodeInfo> = indexByName(ERROR_CODES);

/** The catalog entry for a code or one of its aliases, case-insensitively. */
export function lookupErrorCode(code: string): KnownErrorCodeInfo | undefined {
  return BY_NAME.get(code.toLowerCase());
}

export function isKnownErrorCode(code: string): boolean {
  return BY_NAME.has(code.toLowerCase());
}

/** `undefined` for an unknown code: the caller (e.g. ingest) must then say which it is. */
export function errorCategory(code: string): ErrorCategory | undefined {
  const info = lookupErrorCode(code);
  if (!info) return undefined;
  return info.transient ? 'transient' : 'permanent';
}

function indexByName(
  entries: readonly KnownErrorCodeInfo[],
): ReadonlyMap<string, KnownErrorCodeInfo> {
  const map = new Map<string, KnownErrorCodeInfo>();
  for (const entry of entries) {
    for (const name of [entry.code, ...entry.aliases]) {
      const key = name.toLowerCase();
      // Fail at load rather than let one name silently resolve to two meanings.
      if (map.has(key)) throw new Error(`error catalog: "${name}" is defined twice`);
      map.set(key, entry);
    }
  }
  return map;
}

// Deep-freezes the catalog so no importer can change a description or a category at run time.
function freezeCatalog<const T extends readonly ErrorCodeInfo[]>(entries: T): T {
  for (const entry of entries) {
    Object.freeze(entry.aliases);
    Object.freeze(entry);
  }
  Object.freeze(entries);
  return entries;
}
