import { openLdapSource } from '../connectors/ldap/ldap-source.ts';
import { parseLdapSettings } from '../model/ldap-settings.ts';
import type { Job, System } from '../model/job.ts';
import type { LogStore } from '../store/log-store.ts';
import { AttributeMapper } from './attribute-mapper.ts';
import { ExpressionError } from './expression.ts';
import type { OpenedSource } from './inbound-cycle.ts';
import { groupMappings } from './inbound-groups.ts';
import type { JobCatalog } from './job-catalog.ts';
import { lastWatermark } from './last-watermark.ts';

export type RunMode = 'full' | 'incremental';

/**
 * Opens an LDAP job's source: its settings and secret, the attributes its mappings and scoping
 * read, and for an incremental run the watermark of the last good run (none → a full run).
 */
export async function openLdapInbound(
  deps: { jobs: JobCatalog; log: LogStore },
  job: Job,
  system: System,
  mode: RunMode | undefined,
): Promise<OpenedSource> {
  const parsed = parseLdapSettings(system.settings ?? {});
  if (!parsed.ok)
    return {
      failed: {
        code: 'ConfigurationError',
        reason: `${system.name}'s settings are not valid: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      },
    };
  const settings = parsed.settings;
  let userAttributes: string[];
  let groupAttributes: string[] | undefined;
  try {
    userAttributes = [
      ...new AttributeMapper(
        job.mappings.filter((m) => m.objectType !== 'group'),
      ).sourceAttributes(),
      ...(job.scoping ?? []).map((c) => c.attribute),
    ];
    if (job.objectTypes.includes('group'))
      groupAttributes = new AttributeMapper(groupMappings(job)).sourceAttributes();
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    return { failed: { code: 'ConfigurationError', reason: err.message } };
  }
  const wanted = mode ?? (settings.incremental ? 'incremental' : 'full');
  const since = wanted === 'incremental' ? await lastWatermark(deps.log, job.id) : undefined;
  const secrets = (await deps.jobs.getSystemSecrets?.(system.id)) ?? {};
  const opened = await openLdapSource({
    settings,
    ...(secrets.bindPassword ? { bindPassword: secrets.bindPassword } : {}),
    userAttributes: [...new Set(userAttributes)],
    ...(groupAttributes ? { groupAttributes } : {}),
    ...(since ? { since } : {}),
  });
  const note =
    wanted === 'incremental' && !since
      ? { modeNote: 'incremental asked, but no earlier run left a watermark: full run' }
      : {};
  if (!opened.ok)
    return {
      failed: {
        code: opened.code,
        reason: opened.reason,
        parameters: { ...opened.parameters, ...note },
      },
    };
  const { source } = opened;
  return {
    connector: 'ldap',
    attributes: source.attributes,
    rows: source.rows,
    full: !since,
    parameters: { ...source.parameters, ...note },
    nextWatermark: () => source.nextWatermark(),
    close: () => source.close(),
  };
}
