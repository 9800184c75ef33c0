import type { Source } from '../model/enums.ts';

export const EVENTS = [
  'attr',
  'hire',
  'leave',
  'group',
  'password',
  'rehire',
  'role',
  'org',
] as const;
export const EVENT_WEIGHTS = [62, 7, 5, 12, 4, 2, 6, 2];
export const LDAP_ACTIONS = ['update', 'create', 'disable', 'enable', 'delete'] as const;
export const LDAP_ACTION_WEIGHTS = [80, 9, 6, 2, 1];
export const CSV_ACTIONS = ['update', 'create', 'disable', 'enable'] as const;
export const CSV_ACTION_WEIGHTS = [70, 17, 8, 2];
export const SYNC_ACTION_WEIGHTS = [75, 14, 8, 3];
export const CHANGE_ACTIONS = ['update', 'disable', 'enable'] as const;
export const CHANGE_ACTION_WEIGHTS = [90, 7, 3];
export const RETRY_AFTER = [30, 60, 60, 120];
export const LDAP_OUT_OF_SCOPE = [
  `Entry is under ou=Service Accounts, outside the import's base DN`,
  `objectClass 'computer' is not imported`,
  `Account is in ou=Disabled; the scoping filter excludes it`,
];
export const CSV_OUT_OF_SCOPE = [
  `Worker type 'Contingent Worker' is not in scope of this import`,
  `Worker has a future hire date; they are imported on their first day`,
];

export const IAM_SOURCES: readonly Source[] = [
  'access_request',
  'provisioning_policy',
  'permission_change',
  'self_service_deprovisioning',
  'global_policy',
  'app_account_policy',
  'compliance_review',
  'permission_expiry',
  'api',
];
export const IAM_WEIGHTS = [30, 18, 15, 7, 6, 8, 6, 6, 4];
export const IAM_TOTAL = IAM_WEIGHTS.reduce((a, b) => a + b, 0);
