import type { AttributeMapping, Job, RetryPolicy, System } from '../../model/job.ts';
import type { DirectoryStore } from '../../store/directory/directory-store.ts';
import { AttributeMapper } from '../attribute-mapper.ts';
import { ExpressionError } from '../expression.ts';
import { directAnchors } from './anchor-writer.ts';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import type { ScimClients } from './scim-clients.ts';
import type { UserTarget } from './sync-user.ts';

const DEFAULT_GROUP_MAPPINGS: AttributeMapping[] = [
  { target: 'displayName', source: 'displayName', required: true, objectType: 'group' },
];

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
  // Mappings without an objectType are user mappings; a job that pushes groups without
  // mappings of its own sends the hub group's displayName.
  const userMappings = job.mappings.filter((m) => m.objectType !== 'group');
  const explicitGroup = job.mappings.filter((m) => m.objectType === 'group');
  const groupMappings = explicitGroup.length ? explicitGroup : DEFAULT_GROUP_MAPPINGS;
  let mapper: AttributeMapper;
  let groupMapper: AttributeMapper;
  try {
    mapper = new AttributeMapper(userMappings);
    groupMapper = new AttributeMapper(groupMappings);
  } catch (err) {
    if (err instanceof ExpressionError) return bad(err.message);
    throw err;
  }
  if (job.objectTypes.includes('group') && !groupMappings.some((m) => m.target === 'displayName'))
    return bad('Group mappings must map displayName: SCIM groups are matched on it');
  if (groupMappings.some((m) => m.target === 'members'))
    return bad('Group members are pushed from the hub membership; do not map "members"');
  const match = userMappings.find(
    (m) => m.target === job.matchingAttribute || m.source === job.matchingAttribute,
  );
  if (!match)
    return bad(
      `The matching attribute ${job.matchingAttribute} is not mapped: map it to a SCIM attribute (e.g. userName)`,
    );
  const client = await clients.get(system);
  if (!client.ok) return bad(client.reason);
  const paths = [...new Set([...userMappings.map((m) => m.target), 'active'])];
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
      groupMapper,
      groupPaths: [...new Set(groupMappings.map((m) => m.target))],
      directory,
      anchors: directAnchors(directory, job.id),
    },
  };
}
