import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS } from './enums.ts';
import { Id, Name, Nullable, StringEnum } from './schema-helpers.ts';

export const CONNECTOR_TYPES = ['csv', 'ldap', 'scim', 'external'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/**
 * A connected identity source or application. `settings` are plain configuration; `secrets`
 * (passwords, tokens, client secrets) are encrypted at rest and never returned by any API.
 */
export const SystemInput = Type.Object(
  {
    name: Name,
    type: StringEnum(CONNECTOR_TYPES),
    settings: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown())),
    secrets: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 10_000 })),
    ),
    /** Which entries to keep for this system: all, changes only (no routine no-change skips), failures only. */
    traceLevel: Type.Optional(StringEnum(['all', 'changes', 'failures'] as const)),
  },
  { additionalProperties: false },
);
export type SystemInput = Static<typeof SystemInput>;

export interface System extends Omit<SystemInput, 'secrets'> {
  id: string;
  /** Names of the secrets that are set; their values never leave the store. */
  secretNames: string[];
  traceLevel: 'all' | 'changes' | 'failures';
  createdAt: string;
  updatedAt: string;
}

/** One attribute mapping: a source attribute, a constant, or a small expression → a hub attribute. */
export const AttributeMapping = Type.Object(
  {
    target: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    constant: Type.Optional(Type.String({ maxLength: 2000 })),
    /** e.g. `lower(firstName) + "." + lower(lastName) + "@example.com"` */
    expression: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    /** Required values fail the object with MandatoryFieldsMissing when empty. */
    required: Type.Optional(Type.Boolean()),
    /** Which objects the mapping applies to (default user); group mappings target displayName, description, … */
    objectType: Type.Optional(StringEnum(['user', 'group'] as const)),
  },
  { additionalProperties: false },
);
export type AttributeMapping = Static<typeof AttributeMapping>;

/** `attribute operator value`; all clauses must hold (AND) for an object to be in scope. */
export const ScopingClause = Type.Object(
  {
    attribute: Type.String({ minLength: 1, maxLength: 200 }),
    operator: StringEnum([
      'equals',
      'not_equals',
      'contains',
      'starts_with',
      'ends_with',
      'present',
      'absent',
      'in',
    ] as const),
    value: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 2000 }),
        Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 1000 }),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type ScopingClause = Static<typeof ScopingClause>;

export const RetryPolicy = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
    initialDelayMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
    maxDelayMs: Type.Integer({ minimum: 0, maximum: 7 * 86_400_000 }),
    multiplier: Type.Number({ minimum: 1, maximum: 10 }),
    jitter: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
export type RetryPolicy = Static<typeof RetryPolicy>;

/** One provisioning configuration between the hub and one system. */
export const JobInput = Type.Object(
  {
    name: Name,
    systemId: Id,
    direction: StringEnum(DIRECTIONS),
    objectTypes: Type.Array(StringEnum(['user', 'group', 'organization'] as const), {
      minItems: 1,
      uniqueItems: true,
    }),
    mappings: Type.Array(AttributeMapping, { minItems: 1, maxItems: 500 }),
    scoping: Type.Optional(Type.Array(ScopingClause, { maxItems: 100 })),
    /** The hub attribute that identifies an object on both sides (e.g. userName, employeeId). */
    matchingAttribute: Type.String({ minLength: 1, maxLength: 200 }),
    /** Cron expression for scheduled runs; none = run on demand only. */
    schedule: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    /** What happens to objects gone from a full source: nothing, disable, or delete. */
    deprovision: Type.Optional(StringEnum(['none', 'disable', 'delete'] as const)),
    /** Deletion protection: more deprovisions than this in one cycle wait as staged_delete. */
    deletionThreshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    /**
     * With `deprovision: 'delete'`: objects gone from the source are disabled at once and
     * deleted only when still gone this many days later (0 or absent: deleted at once).
     */
    deprovisionGraceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    retry: Type.Optional(RetryPolicy),
    /** Quarantine when a run's failures reach both this share and this count. */
    health: Type.Optional(
      Type.Object(
        {
          failureShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          minFailures: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type JobInput = Static<typeof JobInput>;

export const JOB_STATES = ['active', 'paused', 'quarantined', 'not_run'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface Job extends JobInput {
  /** `<system name>.<hex>`, Entra style: stable, readable in logs. */
  id: string;
  state: JobState;
  createdAt: string;
  updatedAt: string;
}
