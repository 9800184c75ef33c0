import type { Job, RetryPolicy, System } from '../../model/job.ts';
import type { DirectoryStore } from '../../store/directory/directory-store.ts';
import { AttributeMapper } from '../attribute-mapper.ts';
import { ExpressionError } from '../expression.ts';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import type { ScimClients } from './scim-clients.ts';
import type { UserTarget } from './sync-user.ts';

export type PreparedTarget =
  | { ok: true; target: UserTarget; policy: RetryPolicy }
  | { ok: false; code: 'ConfigurationError'; reason: string };

/**
 * A job made ready to push: its SCIM client, compiled mappings and matching path. Anything
 * wrong here is configuration, found before a single object is touched.
 */
export async function prepareTarget(
  job: Job,
  system: System,
  clients: ScimClients,
  directory: DirectoryStore,
): Promise<PreparedTarget> {
  const bad = (reason: string): PreparedTarget => ({
    ok: false,
    code: 'ConfigurationError',
    reason,
  });
  if (system.type !== 'scim' || job.direction !== 'outbound')
    return bad(`Job ${job.id} is not an outbound job to a SCIM system`);
  let mapper: AttributeMapper;
  try {
    mapper = new AttributeMapper(job.mappings);
  } catch (err) {
    if (err instanceof ExpressionError) return bad(err.message);
    throw err;
  }
  const match = job.mappings.find(
    (m) => m.target === job.matchingAttribute || m.source === job.matchingAttribute,
  );
  if (!match)
    return bad(
      `The matching attribute ${job.matchingAttribute} is not mapped: map it to a SCIM attribute (e.g. userName)`,
    );
  const client = await clients.get(system);
  if (!client.ok) return bad(client.reason);
  const paths = [...new Set([...job.mappings.map((m) => m.target), 'active'])];
  return {
    ok: true,
    policy: job.retry ?? DEFAULT_RETRY_POLICY,
    target: {
      job,
      system,
      client: client.client,
      baseUrl: client.baseUrl,
      mapper,
      paths,
      matchPath: match.target,
      directory,
    },
  };
}
