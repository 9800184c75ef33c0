import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import './formats.ts';
import { EntryInput } from './entry.ts';
import { TaskInput } from './task.ts';
import { lookupErrorCode } from './error-codes.ts';
import type { FieldError } from './validation-error.ts';

const entryCheck = TypeCompiler.Compile(EntryInput);
const taskCheck = TypeCompiler.Compile(TaskInput);

/** Clock skew we tolerate from external engines before calling a time "in the future". */
const FUTURE_TOLERANCE_MS = 24 * 3600_000;

function schemaErrors(
  check: ReturnType<typeof TypeCompiler.Compile<TSchema>>,
  value: unknown,
): FieldError[] {
  const out: FieldError[] = [];
  if (check.Check(value)) return out;
  for (const e of check.Errors(value)) {
    // Unions report once per branch; the first message per path is the useful one.
    const field = e.path || '/';
    if (out.some((o) => o.field === field)) continue;
    out.push({ field, message: describe(e.message, e.schema, e.value) });
    if (out.length >= 20) break;
  }
  return out;
}

function describe(message: string, schema: TSchema, value: unknown): string {
  if (value === undefined) return 'is required';
  if (Array.isArray(schema.enum)) {
    return `must be one of ${schema.enum.map((v: unknown) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(value)}`;
  }
  if (schema.format === 'date-time')
    return `must be an ISO 8601 date-time with a time zone, got ${JSON.stringify(value)}`;
  if (message.startsWith('Unexpected property')) return 'is not a known field';
  if (message === 'Expected required property') return 'is required';
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function timeErrors(field: string, value: string | null | undefined, now: number): FieldError[] {
  if (!value) return [];
  const ms = Date.parse(value);
  if (ms < 0) return [{ field, message: 'must not be before 1970' }];
  if (ms > now + FUTURE_TOLERANCE_MS)
    return [{ field, message: 'is more than 24 hours in the future' }];
  return [];
}

/** Schema plus the rules that span fields. Returns [] when the entry may be stored. */
export function validateEntry(value: unknown, now = Date.now()): FieldError[] {
  const errors = schemaErrors(entryCheck, value);
  if (errors.length > 0) return errors;
  const e = value as EntryInput;
  errors.push(...timeErrors('/time', e.time, now));
  if (e.status === 'failure' && !e.errorCode) {
    errors.push({ field: '/errorCode', message: 'is required when status is "failure"' });
  }
  if (e.status === 'skipped' && !e.skipReason) {
    errors.push({ field: '/skipReason', message: 'is required when status is "skipped"' });
  }
  if (e.skipReason && e.status !== 'skipped') {
    errors.push({ field: '/skipReason', message: 'is only allowed when status is "skipped"' });
  }
  if (e.retryAt && e.status !== 'failure') {
    errors.push({ field: '/retryAt', message: 'is only allowed when status is "failure"' });
  }
  if (e.attempt && e.maxAttempts && e.attempt > e.maxAttempts) {
    errors.push({
      field: '/attempt',
      message: `is ${e.attempt}, more than maxAttempts ${e.maxAttempts}`,
    });
  }
  if (!e.sourceIdentity?.id && !e.targetIdentity?.id) {
    errors.push({
      field: '/sourceIdentity/id',
      message: 'sourceIdentity.id or targetIdentity.id is required',
    });
  }
  if (e.errorCode && !e.errorCategory && !lookupErrorCode(e.errorCode)) {
    errors.push({
      field: '/errorCategory',
      message: `is required for "${e.errorCode}", which is not in the error catalog`,
    });
  }
  return errors;
}

export function validateTask(value: unknown, now = Date.now()): FieldError[] {
  const errors = schemaErrors(taskCheck, value);
  if (errors.length > 0) return errors;
  const t = value as TaskInput;
  errors.push(
    ...timeErrors('/startedAt', t.startedAt, now),
    ...timeErrors('/endedAt', t.endedAt, now),
  );
  if (t.endedAt && Date.parse(t.endedAt) < Date.parse(t.startedAt)) {
    errors.push({ field: '/endedAt', message: 'is before startedAt' });
  }
  if (t.parentTaskId && t.parentTaskId === t.id) {
    errors.push({ field: '/parentTaskId', message: 'must not be the task itself' });
  }
  return errors;
}
