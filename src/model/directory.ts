import { Type, type Static } from '@sinclair/typebox';
import { Id, Name, Nullable } from './schema-helpers.ts';

/** Extra attributes a source brings beyond the hub's own (e.g. costCenter, location). */
const AttributeValue = Type.Union([
  Type.String({ maxLength: 4000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000 }),
]);
export const Attributes = Type.Record(
  Type.String({ minLength: 1, maxLength: 200 }),
  AttributeValue,
  {
    maxProperties: 200,
  },
);

const userFields = {
  displayName: Type.Optional(Name),
  givenName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  familyName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  email: Type.Optional(Nullable(Type.String({ maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }))),
  employeeId: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  department: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  managerId: Type.Optional(Nullable(Id)),
  organizationId: Type.Optional(Nullable(Id)),
  attributes: Type.Optional(Attributes),
};

/** A person in the hub directory, as created through the API or an inbound job. */
export const HubUserInput = Type.Object(
  {
    userName: Type.String({ minLength: 1, maxLength: 320 }),
    ...userFields,
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type HubUserInput = Static<typeof HubUserInput>;

/** A partial update: only the fields given change; `null` clears a field. */
export const HubUserPatch = Type.Object(
  { userName: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })), ...userFields },
  { additionalProperties: false, minProperties: 1 },
);
export type HubUserPatch = Static<typeof HubUserPatch>;

export const HubGroupInput = Type.Object(
  {
    displayName: Name,
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    members: Type.Optional(Type.Array(Id, { maxItems: 100_000, uniqueItems: true })),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type HubGroupInput = Static<typeof HubGroupInput>;
export const HubGroupPatch = Type.Partial(HubGroupInput, {
  additionalProperties: false,
  minProperties: 1,
});
export type HubGroupPatch = Static<typeof HubGroupPatch>;

export const HubOrganizationInput = Type.Object(
  {
    name: Name,
    parentId: Type.Optional(Nullable(Id)),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type HubOrganizationInput = Static<typeof HubOrganizationInput>;
export const HubOrganizationPatch = Type.Partial(HubOrganizationInput, {
  additionalProperties: false,
  minProperties: 1,
});
export type HubOrganizationPatch = Static<typeof HubOrganizationPatch>;

interface Stored {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Increases with every change: optimistic concurrency and change detection. */
  version: number;
}

export type HubUser = Stored & HubUserInput & { active: boolean; displayName: string };
export type HubGroup = Stored & HubGroupInput & { members: string[] };
export type HubOrganization = Stored & HubOrganizationInput;

export const HUB_OBJECT_TYPES = ['user', 'group', 'organization'] as const;
export type HubObjectType = (typeof HUB_OBJECT_TYPES)[number];

export const HUB_OPERATIONS = ['create', 'update', 'disable', 'enable', 'delete'] as const;
export type HubOperation = (typeof HUB_OPERATIONS)[number];

/**
 * One change in the hub, in order: what outbound jobs consume (by sequence watermark) to
 * push single changes to applications.
 */
export interface HubChange {
  seq: number;
  time: string;
  objectType: HubObjectType;
  objectId: string;
  operation: HubOperation;
  /** Attribute changes, old → new (members as added/removed lists for groups). */
  changes: Array<{ name: string; oldValue: unknown; newValue: unknown }>;
  /** Who made it: an API token, or the inbound job and its task. */
  actor?: { type: 'user' | 'token' | 'job'; id: string; taskId?: string };
}
