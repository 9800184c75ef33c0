import { createScimClient, type ScimClient } from '../../src/connectors/scim/scim-client.ts';
import { parseScimOptions } from '../../src/connectors/scim/scim-options.ts';
import type { ScimResult } from '../../src/connectors/scim/scim-result.ts';

/** A client from raw options, failing the test on options the parser refuses. */
export function scimClientFor(options: Record<string, unknown>): ScimClient {
  const parsed = parseScimOptions(options);
  if (!parsed.ok) throw new Error(`invalid SCIM options: ${parsed.errors.join('; ')}`);
  return createScimClient(parsed.options);
}

/** The value of a successful result; otherwise throws with the failure, for a clear test message. */
export function valueOf<T>(result: ScimResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

/** The failure of a failed result; otherwise throws. */
export function failureOf<T>(
  result: ScimResult<T>,
): Extract<ScimResult<T>, { ok: false }>['failure'] {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
}
