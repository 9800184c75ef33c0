import { TypeCompiler } from '@sinclair/typebox/compiler';
import { HubUserInput } from '../model/directory.ts';
import type { FieldError } from '../model/validation-error.ts';

const CORE = new Set([
  'userName',
  'displayName',
  'givenName',
  'familyName',
  'email',
  'employeeId',
  'department',
  'title',
]);
const check = TypeCompiler.Compile(HubUserInput);

/** Mapped attributes → a hub user: known fields by name, anything else under `attributes`. */
export function toHubUser(attrs: Record<string, string>): {
  user: HubUserInput;
  errors: FieldError[];
} {
  const user: Record<string, unknown> = {};
  const extra: Record<string, string> = {};
  let extras = false;
  for (const k in attrs) {
    if (!Object.hasOwn(attrs, k)) continue;
    if (CORE.has(k)) user[k] = attrs[k];
    else {
      extra[k] = attrs[k]!;
      extras = true;
    }
  }
  if (extras) user.attributes = extra;
  const errors: FieldError[] = [];
  if (!check.Check(user)) {
    for (const e of check.Errors(user)) {
      if (!errors.some((x) => x.field === e.path))
        errors.push({ field: e.path || '/', message: e.message });
    }
  }
  return { user: user as HubUserInput, errors };
}
