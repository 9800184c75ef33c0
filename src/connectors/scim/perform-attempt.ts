import type { Dispatcher } from 'undici';
import { buildAttemptRecord, type AttemptRecord, type RecordLimits } from './attempt-record.ts';
import { classifyExchange, type Classified, type ExchangeTarget } from './classify-exchange.ts';
import { exchange, type ExchangeLimits, type ExchangeRequest } from './http-exchange.ts';

export interface AttemptSpec extends ExchangeRequest {
  /** The body as the log should show it (before redaction); `payload` is what is sent. */
  body?: unknown;
  target: ExchangeTarget;
}

export interface PerformedAttempt {
  classified: Classified;
  attempt: AttemptRecord;
}

export type AttemptLimits = ExchangeLimits & RecordLimits;

/** One HTTP exchange, classified and recorded. Never throws for what the peer does. */
export async function performAttempt(
  dispatcher: Dispatcher,
  spec: AttemptSpec,
  limits: AttemptLimits,
): Promise<PerformedAttempt> {
  const raw = await exchange(dispatcher, spec, limits);
  const classified = classifyExchange(raw, spec.target);
  const received = raw.kind === 'response' ? raw.response : raw.partial;
  const attempt = buildAttemptRecord(
    { method: spec.method, url: spec.url, headers: spec.headers, body: spec.body },
    received && {
      status: received.status,
      headers: received.headers,
      body: classified.body ?? received.text,
      truncated: received.truncated,
    },
    raw.durationMs,
    classified.ok ? 'success' : classified.failure,
    limits,
  );
  return { classified, attempt };
}
