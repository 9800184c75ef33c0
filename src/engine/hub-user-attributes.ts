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
  for (const [k, v] of Object.entries(attrs)) {
    if (CORE.has(k)) user[k] = v;
    else extra[k] = v;
  }
  if (Object.keys(extra).length) user.attributes = extra;
  const errors: FieldError[] = [];
  if (!check.Check(user)) {
    for (const e of check.Errors(user)) {
      if (!errors.some((x) => x.field === e.path))
        errors.push({ field: e.path || '/', message: e.message });
    }
  }
  return { user: user as HubUserInput, errors };
}
