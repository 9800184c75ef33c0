import type { ErrorCode } from '../../model/error-codes.ts';
import {
  isSecretName,
  REDACTED,
  redactHeaders,
  redactUrl,
  redactValue,
} from '../../model/redact.ts';

/** Why an attempt failed: a catalog code, in words, and whether the engine should retry. */
export interface AttemptFailure {
  code: ErrorCode;
  reason: string;
  transient: boolean;
  /** The target asked to wait this long before the next attempt (Retry-After). */
  retryAfterMs?: number;
}

export type AttemptOutcome = 'success' | AttemptFailure;

/**
 * One HTTP exchange with a target, as the log stores it: secrets already redacted, the
 * response body cut to a bounded size. `response` is absent when no response came back
 * (connection refused or dropped, timeout before the headers).
 */
export interface AttemptRecord {
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: unknown;
  };
  response?: {
    status: number;
    headers: Record<string, string>;
    body?: unknown;
  };
  durationMs: number;
  outcome: AttemptOutcome;
}

/** Response headers worth keeping: they explain a failure or a redirect. */
const KEPT_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'location',
  'retry-after',
  'etag',
  'www-authenticate',
  'x-request-id',
];

/** The request as sent, before redaction. */
export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** The response as read, before redaction and truncation. */
export interface RawResponseView {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, else the text read (possibly cut at the size limit). */
  body: unknown;
  /** Bytes actually received; the body was cut if the limit was reached. */
  truncated: boolean;
}

export interface RecordLimits {
  /** Largest response body kept on the record, in characters of its JSON form. */
  maxRecordedBodyChars: number;
  extraSecretNames?: ReadonlySet<string>;
}

export function buildAttemptRecord(
  request: RawRequest,
  response: RawResponseView | undefined,
  durationMs: number,
  outcome: AttemptOutcome,
  limits: RecordLimits,
): AttemptRecord {
  const names = limits.extraSecretNames;
  const record: AttemptRecord = {
    request: {
      method: request.method,
      url: redactUrl(request.url, names),
      headers: redactHeaders(request.headers, names),
    },
    durationMs: Math.round(durationMs),
    outcome,
  };
  // A group PUT can carry tens of thousands of members: requests are bounded like responses.
  if (request.body !== undefined) record.request.body = recordedBody(request.body, false, limits);
  if (response) {
    const headers: Record<string, string> = {};
    for (const name of KEPT_RESPONSE_HEADERS) {
      const value = response.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    record.response = {
      status: response.status,
      headers: redactHeaders(headers, names),
    };
    const body = recordedBody(response.body, response.truncated, limits);
    if (body !== undefined) record.response.body = body;
  }
  return record;
}

/**
 * A response body fit for the log: JSON redacted by key, text redacted by pattern, and
 * anything longer than the limit kept as its first characters with a note of the cut.
 */
function recordedBody(body: unknown, truncated: boolean, limits: RecordLimits): unknown {
  if (body === undefined || body === '') return undefined;
  const names = limits.extraSecretNames;
  if (typeof body === 'string') {
    const text = redactText(body, names);
    if (!truncated && text.length <= limits.maxRecordedBodyChars) return text;
    return { truncated: true, text: text.slice(0, limits.maxRecordedBodyChars) };
  }
  const redacted = redactValue(body, names);
  const json = JSON.stringify(redacted);
  if (json.length <= limits.maxRecordedBodyChars) return redacted;
  return { truncated: true, text: json.slice(0, limits.maxRecordedBodyChars) };
}

const JSON_PAIR = /"([^"\\]{1,200})"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)/g;
const FORM_PAIR = /(^|[?&\s;])([A-Za-z0-9_.:-]{1,200})=([^&\s;]*)/g;

/**
 * Text that is not parseable JSON (an HTML error page, a body cut mid-way) cannot be
 * redacted by key; this redacts `"name": value` and `name=value` pairs whose name is a
 * secret, which is how secrets appear in such text.
 */
function redactText(text: string, names: ReadonlySet<string> | undefined): string {
  const redactedJson = text.replace(JSON_PAIR, (whole, key: string, sep: string) =>
    isSecretName(key, names) ? `"${key}"${sep}"${REDACTED}"` : whole,
  );
  return redactedJson.replace(FORM_PAIR, (whole, lead: string, key: string) =>
    isSecretName(key, names) ? `${lead}${key}=${REDACTED}` : whole,
  );
}
