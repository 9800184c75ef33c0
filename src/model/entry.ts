import { Type, type Static } from '@sinclair/typebox';
import {
  ACTIONS,
  ACTOR_TYPES,
  DIRECTIONS,
  ENTRY_STATUSES,
  ERROR_CATEGORIES,
  OBJECT_TYPES,
  SKIP_REASONS,
  SOURCES,
  STEP_NAMES,
  STEP_STATUSES,
  TRIGGER_METHODS,
  TRIGGER_MODULES,
} from './enums.ts';
import { Id, IsoDateTime, Name, Nullable, StringEnum } from './schema-helpers.ts';

export const IdentityRef = Type.Object(
  {
    id: Type.Optional(Id),
    displayName: Type.Optional(Name),
    type: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type IdentityRef = Static<typeof IdentityRef>;

export const SystemRef = Type.Object({ id: Id, name: Name }, { additionalProperties: false });
export type SystemRef = Static<typeof SystemRef>;

const DetailValue = Type.Union([
  Type.String({ maxLength: 4000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);

export const Step = Type.Object(
  {
    name: StringEnum(STEP_NAMES),
    status: StringEnum(STEP_STATUSES),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    time: Type.Optional(IsoDateTime),
    details: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), DetailValue)),
  },
  { additionalProperties: false },
);
export type Step = Static<typeof Step>;

const PropertyValue = Nullable(Type.String({ maxLength: 20_000 }));
export const ModifiedProperty = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 300 }),
    oldValue: Type.Optional(PropertyValue),
    newValue: Type.Optional(PropertyValue),
  },
  { additionalProperties: false },
);
export type ModifiedProperty = Static<typeof ModifiedProperty>;

export const PermissionChanges = Type.Object(
  {
    bound: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 10_000 }),
    unbound: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);

const Headers = Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 8000 }));
export const RequestPayload = Type.Object(
  {
    method: Type.Optional(Type.String({ maxLength: 20 })),
    url: Type.Optional(Type.String({ maxLength: 4000 })),
    headers: Type.Optional(Headers),
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export const ResponsePayload = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
    headers: Type.Optional(Headers),
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RequestPayload = Static<typeof RequestPayload>;
export type ResponsePayload = Static<typeof ResponsePayload>;

export const Actor = Type.Object(
  {
    type: StringEnum(ACTOR_TYPES),
    id: Id,
    displayName: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type Actor = Static<typeof Actor>;

/** What an engine (provlog's own or an external one) writes: one provisioning attempt. */
export const EntryInput = Type.Object(
  {
    changeId: Id,
    taskId: Type.Optional(Nullable(Id)),
    jobId: Type.Optional(Id),
    cycleId: Type.Optional(Id),
    operationId: Type.Optional(Id),
    time: IsoDateTime,
    durationMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    direction: StringEnum(DIRECTIONS),
    triggerModule: Type.Optional(StringEnum(TRIGGER_MODULES)),
    triggerModuleName: Type.Optional(Name),
    triggerMethod: Type.Optional(StringEnum(TRIGGER_METHODS)),
    source: Type.Optional(StringEnum(SOURCES)),
    objectType: StringEnum(OBJECT_TYPES),
    action: StringEnum(ACTIONS),
    skipReason: Type.Optional(StringEnum(SKIP_REASONS)),
    status: StringEnum(ENTRY_STATUSES),
    sourceIdentity: Type.Optional(IdentityRef),
    targetIdentity: Type.Optional(IdentityRef),
    sourceSystem: Type.Optional(SystemRef),
    targetSystem: Type.Optional(SystemRef),
    errorCode: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,99}$' })),
    errorCategory: Type.Optional(StringEnum(ERROR_CATEGORIES)),
    reason: Type.Optional(Type.String({ maxLength: 8000 })),
    retryAt: Type.Optional(IsoDateTime),
    attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    steps: Type.Optional(Type.Array(Step, { maxItems: 20 })),
    modifiedProperties: Type.Optional(Type.Array(ModifiedProperty, { maxItems: 2000 })),
    permissionChanges: Type.Optional(PermissionChanges),
    request: Type.Optional(RequestPayload),
    response: Type.Optional(ResponsePayload),
    actor: Type.Optional(Actor),
    approver: Type.Optional(Actor),
  },
  { additionalProperties: false },
);
export type EntryInput = Static<typeof EntryInput>;

/** An entry as the log returns it: the input, normalised, plus derived fields. */
export interface Entry extends Omit<EntryInput, 'taskId'> {
  taskId: string | null;
  operationId: string;
  triggerMethod: 'manual' | 'automatic';
  /** Derived: the later entry (successful retry or confirmation) that resolved this failure. */
  resolvedBy?: string | null;
  /** Derived display state: retrying / resolved on failures. */
  state?: 'retrying' | 'resolved';
}

export interface EntryDetail extends Entry {
  /** Every attempt of the same operation, oldest first (this one included). */
  relatedAttempts: Array<
    Pick<Entry, 'changeId' | 'time' | 'status' | 'action' | 'attempt' | 'errorCode' | 'taskId'>
  >;
}
