import { errors, request, type Dispatcher } from 'undici';

export interface ExchangeLimits {
  /** The whole exchange — connect, headers and body — must finish within this. */
  timeoutMs: number;
  /** Reading stops once the body passes this many bytes; the exchange is then `truncated`. */
  maxResponseBytes: number;
}

export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Already serialised. */
  payload?: string;
}

export interface ReceivedResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The body passed `maxResponseBytes` and was cut there. */
  truncated: boolean;
}

/**
 * What one HTTP exchange came to, before any SCIM meaning is given to it. A network
 * failure after the headers still carries what was received (`partial`).
 */
export type RawExchange =
  | { kind: 'response'; response: ReceivedResponse; durationMs: number }
  | {
      kind: 'network';
      failure: 'timeout' | 'connection';
      message: string;
      partial?: ReceivedResponse;
      durationMs: number;
    };

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * Sends one request and reads its response within a deadline and a size limit. Never
 * throws for anything the network or the peer does; redirects are returned, not followed
 * (undici's `request` follows none).
 */
export async function exchange(
  dispatcher: Dispatcher,
  req: ExchangeRequest,
  limits: ExchangeLimits,
): Promise<RawExchange> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), limits.timeoutMs);
  let partial: ReceivedResponse | undefined;
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.payload,
      signal: deadline.signal,
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
    });
    partial = {
      status: res.statusCode,
      headers: flattenHeaders(res.headers),
      text: '',
      truncated: false,
    };
    const { text, truncated } = await readLimited(res.body, limits.maxResponseBytes);
    return { kind: 'response', response: { ...partial, text, truncated }, durationMs: elapsed() };
  } catch (error) {
    const failure = deadline.signal.aborted || isTimeout(error) ? 'timeout' : 'connection';
    const message =
      failure === 'timeout' && deadline.signal.aborted
        ? `no complete response within ${limits.timeoutMs} ms`
        : describeError(error);
    return {
      kind: 'network',
      failure,
      message,
      durationMs: elapsed(),
      ...(partial ? { partial } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      // Stop the transfer: an endless body must not keep the connection or the task.
      body.destroy();
      return { text: decode(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: decode(chunks), truncated: false };
}

function decode(chunks: Buffer[]): string {
  // A cut may split a multi-byte character; the decoder replaces the stray bytes.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function isTimeout(error: unknown): boolean {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError)
    return true;
  if (error instanceof errors.ConnectTimeoutError) return true;
  return TIMEOUT_CODES.has(errorCode(error) ?? '');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === error ? undefined : errorCode(cause);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errorCode(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${code ? `${code} ` : ''}${error.message}${cause}`.slice(0, 500);
}
