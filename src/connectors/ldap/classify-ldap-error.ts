import { MessageParserError, ResultCodeError } from 'ldapts';

/** Catalog codes an LDAP source fails with (see src/model/error-codes.ts). */
export type LdapErrorCode =
  | 'LdapBindFailed'
  | 'LdapUnreachable'
  | 'LdapTimeout'
  | 'LdapSizeLimitExceeded'
  | 'LdapNoSuchObject'
  | 'LdapInsufficientAccess'
  | 'LdapInvalidFilter'
  | 'LdapProtocolError'
  | 'LdapTlsFailed';

export interface LdapFailure {
  code: LdapErrorCode;
  reason: string;
}

/** What provlog was doing when the error came: it shapes the reason, never the code's meaning. */
export interface LdapErrorContext {
  operation: 'connect' | 'bind' | 'search' | 'schema';
  url: string;
  bindDn?: string;
  baseDn?: string;
  filter?: string;
}

const NET_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * The one place that turns what ldapts throws (LDAP result codes, socket errors, timeouts) into a
 * catalog code and a reason that says what to check. Nothing here carries the bind password.
 */
export function classifyLdapError(err: unknown, ctx: LdapErrorContext): LdapFailure {
  const where = ctx.baseDn ? ` under ${ctx.baseDn}` : '';
  if (err instanceof ResultCodeError) {
    const detail = err.message ? ` (${oneLine(err.message)})` : '';
    switch (err.code) {
      case 49:
        return {
          code: 'LdapBindFailed',
          reason: `${ctx.url} refused the bind as ${ctx.bindDn ?? 'anonymous'}: invalid credentials (result code 49)`,
        };
      case 48:
      case 7:
        return {
          code: 'LdapBindFailed',
          reason: `${ctx.url} does not accept this kind of bind${detail} (result code ${err.code})`,
        };
      case 8:
      case 13:
        return {
          code: 'LdapTlsFailed',
          reason: `${ctx.url} requires a secure connection: use ldaps:// or startTls (result code ${err.code})`,
        };
      case 32:
        return {
          code: 'LdapNoSuchObject',
          reason: `The base DN ${ctx.baseDn ?? ''} does not exist on ${ctx.url} (result code 32, noSuchObject)`,
        };
      case 34:
        return {
          code: 'LdapNoSuchObject',
          reason: `The DN ${ctx.operation === 'bind' ? (ctx.bindDn ?? '') : (ctx.baseDn ?? '')} is not a valid DN (result code 34)`,
        };
      case 50:
        return {
          code: 'LdapInsufficientAccess',
          reason: `${ctx.bindDn ?? 'An anonymous bind'} may not ${ctx.operation === 'schema' ? 'read the schema' : `search${where}`} (result code 50, insufficientAccessRights)`,
        };
      case 4:
      case 11:
        return {
          code: 'LdapSizeLimitExceeded',
          reason: `The server stopped the search${where} at its size limit (result code ${err.code}): the import would be incomplete`,
        };
      case 3:
        return {
          code: 'LdapTimeout',
          reason: `The search${where} ran past the server's time limit (result code 3)`,
        };
      case 87:
        return {
          code: 'LdapInvalidFilter',
          reason: `The server rejected the filter ${ctx.filter ?? ''} (result code 87)`,
        };
      case 51:
      case 52:
        return {
          code: 'LdapUnreachable',
          reason: `${ctx.url} is ${err.code === 51 ? 'busy' : 'unavailable'} (result code ${err.code})${detail}`,
        };
      default:
        return {
          code: 'LdapProtocolError',
          reason: `${ctx.url} answered ${ctx.operation} with result code ${err.code}${detail}`,
        };
    }
  }
  if (err instanceof MessageParserError)
    return {
      code: 'LdapProtocolError',
      reason: `${ctx.url} sent a response provlog could not decode: is it an LDAP port? (${oneLine(err.message)})`,
    };
  const e = err as NodeJS.ErrnoException;
  const message = oneLine(e?.message ?? String(err));
  if (e?.code && NET_UNREACHABLE.has(e.code))
    return {
      code: 'LdapUnreachable',
      reason: `Cannot reach ${ctx.url}: ${e.code === 'ENOTFOUND' ? 'the host name does not resolve' : e.code === 'ECONNREFUSED' ? 'connection refused (is the server running on that port?)' : message}`,
    };
  if (/timeout|timed out/i.test(message))
    return {
      code: 'LdapTimeout',
      reason: `${ctx.url} did not answer ${ctx.operation} in time (${message})`,
    };
  if (e?.code?.startsWith('ERR_TLS') || /certificate|self[- ]signed|TLS|SSL/i.test(message))
    return {
      code: 'LdapTlsFailed',
      reason: `The TLS handshake with ${ctx.url} failed: ${message}`,
    };
  if (/Connection closed|Socket error|socket/i.test(message))
    return {
      code: 'LdapUnreachable',
      reason: `The connection to ${ctx.url} broke during ${ctx.operation}: ${message}`,
    };
  if (/filter|paren|Invalid attribute name|escaped|Wildcard/i.test(message))
    return {
      code: 'LdapInvalidFilter',
      reason: `The filter ${ctx.filter ?? ''} is not valid LDAP filter syntax (RFC 4515): ${message}`,
    };
  return {
    code: 'LdapProtocolError',
    reason: `${ctx.operation} on ${ctx.url} failed: ${message}`,
  };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 500);
