import type { AttemptFailure, AttemptRecord } from './attempt-record.ts';

/**
 * What every connector call returns: its value or a classified failure, and every HTTP
 * attempt it made, in order (a token request, a discovery, a GET before a PUT…). The last
 * attempt is the one that decided; all of them belong on the entry.
 */
export type ScimResult<T> =
  | { ok: true; value: T; attempts: AttemptRecord[] }
  | { ok: false; failure: AttemptFailure; attempts: AttemptRecord[] };

export function succeed<T>(value: T, attempts: AttemptRecord[]): ScimResult<T> {
  return { ok: true, value, attempts };
}

export function fail<T>(failure: AttemptFailure, attempts: AttemptRecord[]): ScimResult<T> {
  return { ok: false, failure, attempts };
}

/**
 * A response that came back fine at the HTTP level but failed a check of its content: the
 * last attempt's recorded outcome becomes that failure, so the record tells the truth.
 */
export function failLastAttempt<T>(
  failure: AttemptFailure,
  attempts: AttemptRecord[],
): ScimResult<T> {
  const last = attempts.at(-1);
  const rest = attempts.slice(0, -1);
  return fail(failure, last ? [...rest, { ...last, outcome: failure }] : rest);
}
