import { cronProblem } from './cron-check.ts';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { foldText } from '../../model/fold-text.ts';
import { newId } from '../../model/ids.ts';
import type {
  ConnectorType,
  Job,
  JobInput,
  JobState,
  System,
  SystemInput,
} from '../../model/job.ts';
import type { FieldError } from '../../model/validation-error.ts';
import { parseLdapSettings } from '../../model/ldap-settings.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import type { SqlRunner } from '../sql-runner.ts';
import type { ConfigDatabase } from './config-schema.ts';

/** Expected outcomes of configuration writes (mapped to HTTP by the API). */
export class ConfigError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid',
    readonly entity: 'system' | 'job',
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** Changes to a system: given fields replace; `settings: null` clears them; a secret set to null is removed. */
export interface SystemPatch {
  name?: string;
  type?: ConnectorType;
  settings?: Record<string, unknown> | null;
  secrets?: Record<string, string | null>;
  traceLevel?: System['traceLevel'];
}

/** Changes to a job: given fields replace; `null` clears an optional field. */
export type JobPatch = {
  [K in keyof JobInput]?: undefined extends JobInput[K] ? JobInput[K] | null : JobInput[K];
};

/** A job with why it is in its state (e.g. what quarantined it). */
export interface JobRecord extends Job {
  stateReason?: string;
}

/** Which directions each connector type can serve. */
const DIRECTIONS_OF: Record<ConnectorType, readonly Job['direction'][]> = {
  csv: ['inbound'],
  ldap: ['inbound'],
  scim: ['outbound'],
  external: ['inbound', 'outbound'],
};

/**
 * Systems and jobs: the configuration the engine runs. Secrets are sealed with the store's
 * SecretBox before they reach the database and come back only through getSystemSecrets.
 */
export class ConfigStore {
  constructor(
    private readonly runner: SqlRunner,
    private readonly qb: Kysely<ConfigDatabase>,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- systems

  async createSystem(input: SystemInput): Promise<System> {
    return this.runner.transaction(async (tx) => {
      const time = this.now();
      const { secrets = {}, ...rest } = input;
      const system: System = {
        ...rest,
        id: newId(time),
        traceLevel: input.traceLevel ?? 'all',
        secretNames: Object.keys(secrets).sort(),
        createdAt: iso(time),
        updatedAt: iso(time),
      };
      assertSettings(system);
      await this.assertUniqueName(tx, system.name, undefined);
      await tx.all(
        this.qb.insertInto('systems_config').values({
          ...this.systemRow(system, this.seal(system.id, secrets)),
          created_at: time,
        }),
      );
      return system;
    });
  }

  async getSystem(id: string): Promise<System | undefined> {
    const [row] = await this.runner.all<{ doc: string }>(
      this.qb.selectFrom('systems_config').select('doc').where('id', '=', id),
    );
    return row ? (JSON.parse(row.doc) as System) : undefined;
  }

  async listSystems(): Promise<System[]> {
    const rows = await this.runner.all<{ doc: string }>(
      this.qb.selectFrom('systems_config').select('doc').orderBy('seq'),
    );
    return rows.map((r) => JSON.parse(r.doc) as System);
  }

  async updateSystem(id: string, patch: SystemPatch): Promise<System> {
    return this.runner.transaction(async (tx) => {
      const { system: current, sealed } = await this.mustGetSystem(tx, id);
      const next: System = { ...current, updatedAt: iso(this.now()) };
      if (patch.name !== undefined) {
        await this.assertUniqueName(tx, patch.name, id);
        next.name = patch.name;
      }
      if (patch.type !== undefined && patch.type !== current.type) {
        await this.assertJobsSuit(tx, id, patch.type);
        next.type = patch.type;
      }
      if (patch.settings === null) delete next.settings;
      else if (patch.settings !== undefined) next.settings = patch.settings;
      if (patch.traceLevel !== undefined) next.traceLevel = patch.traceLevel;
      assertSettings(next);
      let secrets = sealed;
      if (patch.secrets && Object.keys(patch.secrets).length) {
        const plain = sealed ? this.open(id, sealed) : {};
        for (const [name, value] of Object.entries(patch.secrets)) {
          if (value === null) delete plain[name];
          else plain[name] = value;
        }
        next.secretNames = Object.keys(plain).sort();
        secrets = this.seal(id, plain);
      }
      await tx.all(
        this.qb
          .updateTable('systems_config')
          .set(this.systemRow(next, secrets))
          .where('id', '=', id),
      );
      return next;
    });
  }

  /** Refused while jobs use the system: delete or move them first. */
  async deleteSystem(id: string): Promise<void> {
    await this.runner.transaction(async (tx) => {
      await this.mustGetSystem(tx, id);
      const jobs = await tx.all<{ id: string }>(
        this.qb.selectFrom('jobs').select('id').where('system_id', '=', id).limit(5),
      );
      if (jobs.length)
        throw new ConfigError(
          'conflict',
          'system',
          `The system is used by job(s) ${jobs.map((j) => j.id).join(', ')}; delete them first`,
        );
      await tx.all(this.qb.deleteFrom('systems_config').where('id', '=', id));
    });
  }

  /** The decrypted secrets, for connectors only: never hand these to the API. */
  async getSystemSecrets(id: string): Promise<Record<string, string>> {
    const { sealed } = await this.mustGetSystem(this.runner, id);
    return sealed ? this.open(id, sealed) : {};
  }

  // ---- jobs

  async createJob(input: JobInput): Promise<JobRecord> {
    return this.runner.transaction(async (tx) => {
      const system = await this.checkJob(tx, input);
      const time = this.now();
      const job: JobRecord = {
        ...input,
        id: `${system.name.replace(/\s+/g, '')}.${randomBytes(8).toString('hex')}`,
        state: 'not_run',
        createdAt: iso(time),
        updatedAt: iso(time),
      };
      await tx.all(this.qb.insertInto('jobs').values({ ...this.jobRow(job), created_at: time }));
      return job;
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.runner.all<ConfigDatabase['jobs']>(
      this.qb.selectFrom('jobs').selectAll().where('id', '=', id),
    );
    return row ? jobOf(row) : undefined;
  }

  async listJobs(filter: { systemId?: string } = {}): Promise<JobRecord[]> {
    let query = this.qb.selectFrom('jobs').selectAll().orderBy('seq');
    if (filter.systemId !== undefined) query = query.where('system_id', '=', filter.systemId);
    const rows = await this.runner.all<ConfigDatabase['jobs']>(query);
    return rows.map(jobOf);
  }

  async updateJob(id: string, patch: JobPatch): Promise<JobRecord> {
    return this.runner.transaction(async (tx) => {
      const current = await this.mustGetJob(tx, id);
      const next = { ...current } as Record<string, unknown>;
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else if (v !== undefined) next[k] = v;
      }
      await this.checkJob(tx, next as unknown as JobInput);
      const job = { ...(next as unknown as JobRecord), updatedAt: iso(this.now()) };
      await tx.all(this.qb.updateTable('jobs').set(this.jobRow(job)).where('id', '=', id));
      return job;
    });
  }

  async deleteJob(id: string): Promise<void> {
    await this.runner.transaction(async (tx) => {
      await this.mustGetJob(tx, id);
      await tx.all(this.qb.deleteFrom('jobs').where('id', '=', id));
    });
  }

  /** Pause, resume, quarantine: the engine and operators move a job between states. */
  async setJobState(id: string, state: JobState, reason?: string): Promise<JobRecord> {
    return this.runner.transaction(async (tx) => {
      const current = await this.mustGetJob(tx, id);
      const { stateReason: _old, ...rest } = current;
      const job: JobRecord = {
        ...rest,
        state,
        ...(reason ? { stateReason: reason } : {}),
        updatedAt: iso(this.now()),
      };
      await tx.all(this.qb.updateTable('jobs').set(this.jobRow(job)).where('id', '=', id));
      return job;
    });
  }

  // ---- internals

  private seal(systemId: string, secrets: Record<string, string>): string | null {
    // The system id inside the sealed text stops a blob copied onto another row from opening.
    return Object.keys(secrets).length
      ? this.secrets.encrypt(JSON.stringify({ systemId, secrets }))
      : null;
  }

  private open(systemId: string, sealed: string): Record<string, string> {
    const opened = JSON.parse(this.secrets.decrypt(sealed)) as {
      systemId: string;
      secrets: Record<string, string>;
    };
    if (opened.systemId !== systemId)
      throw new Error(`the secrets stored for system ${systemId} belong to another system`);
    return opened.secrets;
  }

  private systemRow(s: System, secrets: string | null) {
    return {
      id: s.id,
      name_folded: foldText(s.name),
      type: s.type,
      doc: JSON.stringify(s),
      secrets,
      updated_at: Date.parse(s.updatedAt),
    };
  }

  private jobRow(j: JobRecord) {
    const { id, state, stateReason, createdAt: _c, updatedAt, ...input } = j;
    return {
      id,
      system_id: j.systemId,
      state,
      state_reason: stateReason ?? null,
      doc: JSON.stringify(input),
      updated_at: Date.parse(updatedAt),
    };
  }

  private async mustGetSystem(
    runner: SqlRunner,
    id: string,
  ): Promise<{ system: System; sealed: string | null }> {
    const [row] = await runner.all<{ doc: string; secrets: string | null }>(
      this.qb.selectFrom('systems_config').select(['doc', 'secrets']).where('id', '=', id),
    );
    if (!row)
      throw new ConfigError('not_found', 'system', `System ${JSON.stringify(id)} does not exist`);
    return { system: JSON.parse(row.doc) as System, sealed: row.secrets };
  }

  private async mustGetJob(runner: SqlRunner, id: string): Promise<JobRecord> {
    const [row] = await runner.all<ConfigDatabase['jobs']>(
      this.qb.selectFrom('jobs').selectAll().where('id', '=', id),
    );
    if (!row) throw new ConfigError('not_found', 'job', `Job ${JSON.stringify(id)} does not exist`);
    return jobOf(row);
  }

  private async assertUniqueName(tx: SqlRunner, name: string, selfId: string | undefined) {
    const rows = await tx.all<{ id: string }>(
      this.qb.selectFrom('systems_config').select('id').where('name_folded', '=', foldText(name)),
    );
    const other = rows.find((r) => r.id !== selfId);
    if (other)
      throw new ConfigError(
        'conflict',
        'system',
        `A system named ${JSON.stringify(name)} already exists (${other.id})`,
        [{ field: '/name', message: 'is already taken' }],
      );
  }

  private async assertJobsSuit(tx: SqlRunner, systemId: string, type: ConnectorType) {
    const jobs = await this.listJobsIn(tx, systemId);
    const unfit = jobs.filter((j) => !DIRECTIONS_OF[type].includes(j.direction));
    if (unfit.length)
      throw new ConfigError(
        'invalid',
        'system',
        `A ${type} system cannot serve the ${unfit[0]!.direction} job(s) ${unfit.map((j) => j.id).join(', ')}`,
        [
          {
            field: '/type',
            message: `${type} does not suit the system's ${unfit[0]!.direction} jobs`,
          },
        ],
      );
  }

  private async listJobsIn(tx: SqlRunner, systemId: string): Promise<JobRecord[]> {
    const rows = await tx.all<ConfigDatabase['jobs']>(
      this.qb.selectFrom('jobs').selectAll().where('system_id', '=', systemId),
    );
    return rows.map(jobOf);
  }

  /** Everything the request schema cannot say; returns the job's system. */
  private async checkJob(tx: SqlRunner, job: JobInput): Promise<System> {
    const errors = [...mappingErrors(job.mappings)];
    if (job.schedule !== undefined && job.schedule !== null) {
      const problem = cronProblem(job.schedule);
      if (problem) errors.push({ field: '/schedule', message: problem });
    }
    const [row] = await tx.all<{ doc: string }>(
      this.qb.selectFrom('systems_config').select('doc').where('id', '=', job.systemId),
    );
    const system = row ? (JSON.parse(row.doc) as System) : undefined;
    if (!system)
      errors.push({
        field: '/systemId',
        message: `no system with id ${JSON.stringify(job.systemId)}`,
      });
    else if (!DIRECTIONS_OF[system.type].includes(job.direction))
      errors.push({
        field: '/direction',
        message: `a ${system.type} system supports ${DIRECTIONS_OF[system.type].join(' or ')} jobs only`,
      });
    if (errors.length || !system)
      throw new ConfigError(
        'invalid',
        'job',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      );
    return system;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Connector settings are checked when given (an ldap system may be created first, set up later). */
function assertSettings(system: System): void {
  if (system.type !== 'ldap' || system.settings === undefined) return;
  const parsed = parseLdapSettings(system.settings);
  if (!parsed.ok)
    throw new ConfigError(
      'invalid',
      'system',
      parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      parsed.errors,
    );
}

function jobOf(row: ConfigDatabase['jobs']): JobRecord {
  const input = JSON.parse(row.doc) as JobInput;
  return {
    ...input,
    id: row.id,
    state: row.state as JobState,
    ...(row.state_reason ? { stateReason: row.state_reason } : {}),
    createdAt: iso(Number(row.created_at)),
    updatedAt: iso(Number(row.updated_at)),
  };
}

function mappingErrors(mappings: JobInput['mappings']): FieldError[] {
  const errors: FieldError[] = [];
  mappings.forEach((m, i) => {
    const kinds = (['source', 'constant', 'expression'] as const).filter((k) => m[k] !== undefined);
    if (kinds.length !== 1)
      errors.push({
        field: `/mappings/${i}`,
        message: kinds.length
          ? `has ${kinds.join(' and ')}; give exactly one of source, constant, expression`
          : 'needs exactly one of source, constant, expression',
      });
  });
  return errors;
}
