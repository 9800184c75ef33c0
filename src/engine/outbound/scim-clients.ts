import { createScimClient, type ScimClient } from '../../connectors/scim/scim-client.ts';
import { parseScimOptions } from '../../connectors/scim/scim-options.ts';
import type { System } from '../../model/job.ts';

/** Secret names that belong in a system's `auth` settings. */
const AUTH_SECRETS = ['token', 'password', 'clientSecret'] as const;

export type ClientFor =
  { ok: true; client: ScimClient; baseUrl: string } | { ok: false; reason: string };

/**
 * One SCIM client per target system (its connection pool, rate limiter and discovery are
 * per system), rebuilt when the system's configuration changes. A system's `settings` hold
 * the connector options without secrets; `secrets.token|password|clientSecret` complete `auth`.
 */
export class ScimClients {
  private readonly clients = new Map<string, { version: string; made: ClientFor }>();

  constructor(private readonly secretsOf: (systemId: string) => Promise<Record<string, string>>) {}

  async get(system: System): Promise<ClientFor> {
    const cached = this.clients.get(system.id);
    if (cached?.version === system.updatedAt) return cached.made;
    if (cached?.made.ok) await cached.made.client.close();
    const made = await this.make(system);
    this.clients.set(system.id, { version: system.updatedAt, made });
    return made;
  }

  async close(): Promise<void> {
    for (const { made } of this.clients.values()) if (made.ok) await made.client.close();
    this.clients.clear();
  }

  private async make(system: System): Promise<ClientFor> {
    const secrets = await this.secretsOf(system.id);
    const settings = system.settings ?? {};
    const auth =
      typeof settings.auth === 'object' && settings.auth !== null
        ? { ...(settings.auth as Record<string, unknown>) }
        : {};
    for (const name of AUTH_SECRETS) if (secrets[name] !== undefined) auth[name] = secrets[name];
    const parsed = parseScimOptions({ ...settings, auth });
    if (!parsed.ok)
      return {
        ok: false,
        reason: `${system.name}'s SCIM settings are not usable: ${parsed.errors.join('; ')}`,
      };
    return { ok: true, client: createScimClient(parsed.options), baseUrl: parsed.options.baseUrl };
  }
}
