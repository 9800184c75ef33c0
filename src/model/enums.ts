/**
 * Every enumerated value of the provisioning log (DESIGN.md, "Entry" and "Task").
 * Arrays are the source of truth: schemas, facets and the console read them.
 */
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const TRIGGER_MODULES = ['identity_provider', 'application', 'account'] as const;
export type TriggerModule = (typeof TRIGGER_MODULES)[number];

export const TRIGGER_METHODS = ['manual', 'automatic'] as const;
export type TriggerMethod = (typeof TRIGGER_METHODS)[number];

export const SOURCES = [
  'scheduled_sync',
  'single_change',
  'manual_operation',
  're_trigger',
  'retry_after_modification',
  'self_service_deprovisioning',
  'access_request',
  'provisioning_policy',
  'permission_change',
  'global_policy',
  'app_account_policy',
  'compliance_review',
  'permission_expiry',
  'api',
] as const;
export type Source = (typeof SOURCES)[number];

export const OBJECT_TYPES = ['user', 'group', 'organization', 'account', 'role'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const ACTIONS = [
  'create',
  'update',
  'delete',
  'disable',
  'enable',
  'staged_delete',
  'confirm',
  'other',
] as const;
export type Action = (typeof ACTIONS)[number];

export const SKIP_REASONS = ['out_of_scope', 'no_change', 'needs_action'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const ENTRY_STATUSES = [
  'success',
  'failure',
  'skipped',
  'pending',
  'committed',
  'not_verifiable',
] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export const ERROR_CATEGORIES = ['transient', 'permanent'] as const;
export type ErrorCategoryValue = (typeof ERROR_CATEGORIES)[number];

export const STEP_NAMES = ['import', 'scoping', 'matching', 'provision'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_STATUSES = ['success', 'failure', 'skipped', 'pending'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const TASK_STATUSES = [
  'initial',
  'running',
  'succeeded',
  'partially_succeeded',
  'failed',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const ACTOR_TYPES = ['user', 'token', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Plural nouns used in task status descriptions ("3 accounts and 1 organization failed"). */
export const OBJECT_TYPE_NOUNS: Record<ObjectType, [singular: string, plural: string]> = {
  user: ['user', 'users'],
  group: ['group', 'groups'],
  organization: ['organization', 'organizations'],
  account: ['account', 'accounts'],
  role: ['role', 'roles'],
};
