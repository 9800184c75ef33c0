import type { SystemRef } from '../model/entry.ts';
import type { Direction, ObjectType } from '../model/enums.ts';
import { hash2, hex8 } from './prng.ts';

/** A connected system of the demo: an identity provider (inbound) or an application (outbound). */
export interface DemoSystem {
  readonly id: string;
  readonly name: string;
  readonly kind: 'identity_provider' | 'application';
  readonly connector: 'csv' | 'ldap' | 'scim' | 'external';
  /** Direction of the system's job: identity providers feed the hub, applications are fed by it. */
  readonly direction: Direction;
  /** Entra-style job id, `<App>.<hex>`: stable across seeds. */
  readonly jobId: string;
  readonly endpoint: string;
  readonly objectTypes: readonly ObjectType[];
  /** Share of people assigned to the application (1 for identity providers). */
  readonly assignedShare: number;
  /** Applications that confirm by callback (entries go `pending` first). */
  readonly callbacks: boolean;
  /** Leavers are deleted, not disabled, in this application. */
  readonly deleteOnLeave: boolean;
  readonly api: 'csv' | 'ldap' | 'scim' | 'google' | 'feishu';
  /** The attribute provlog matches users on in this system. */
  readonly matchOn: string;
  /** Position in DEMO_SYSTEMS. */
  readonly index: number;
  /** The `{ id, name }` reference entries carry (one shared, frozen object). */
  readonly ref: SystemRef;
}

export const DEMO_HUB: SystemRef = Object.freeze({ id: 'provlog', name: 'provlog hub' });

export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function jobIdFor(key: string): string {
  const h = fnv(key);
  return `${key}.${hex8(hash2(h, 1))}${hex8(hash2(h, 2))}${hex8(hash2(h, 3))}${hex8(hash2(h, 4))}`;
}

type SystemSpec = Omit<DemoSystem, 'jobId' | 'direction' | 'kind' | 'index' | 'ref'> & {
  key: string;
};

let systemCount = 0;

function system(kind: DemoSystem['kind'], s: SystemSpec): DemoSystem {
  const { key, ...rest } = s;
  return {
    ...rest,
    kind,
    direction: kind === 'application' ? 'outbound' : 'inbound',
    jobId: jobIdFor(key),
    index: systemCount++,
    ref: Object.freeze({ id: s.id, name: s.name }),
  };
}

const IDP = (s: Omit<SystemSpec, 'assignedShare' | 'callbacks' | 'deleteOnLeave'>) =>
  system('identity_provider', { ...s, assignedShare: 1, callbacks: false, deleteOnLeave: false });
const APP = (s: SystemSpec) => system('application', s);

/** The systems used: two identity providers, then eight applications. */
export const DEMO_SYSTEMS: readonly DemoSystem[] = [
  IDP({
    key: 'WorkdayHrCsv',
    id: 'workday-hr-csv',
    name: 'Workday HR CSV',
    connector: 'csv',
    api: 'csv',
    matchOn: 'employeeId',
    endpoint: 'sftp://sftp.contoso.com/exports/workday/',
    objectTypes: ['user', 'group'],
  }),
  IDP({
    key: 'CorpLdap',
    id: 'corp-ldap',
    name: 'Corp LDAP',
    connector: 'ldap',
    api: 'ldap',
    matchOn: 'employeeNumber',
    endpoint: 'ldaps://ldap.corp.contoso.com:636',
    objectTypes: ['user', 'group', 'organization'],
  }),
  APP({
    key: 'ServiceNow',
    id: 'servicenow',
    name: 'ServiceNow',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://contoso.service-now.com/scim/v2',
    objectTypes: ['user', 'group', 'role', 'account'],
    assignedShare: 0.85,
    callbacks: false,
    deleteOnLeave: false,
  }),
  APP({
    key: 'Salesforce',
    id: 'salesforce',
    name: 'Salesforce',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://contoso.my.salesforce.com/services/scim/v2',
    objectTypes: ['user', 'role', 'account'],
    assignedShare: 0.35,
    callbacks: false,
    deleteOnLeave: false,
  }),
  APP({
    key: 'Slack',
    id: 'slack',
    name: 'Slack',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://api.slack.com/scim/v2',
    objectTypes: ['user', 'group'],
    assignedShare: 0.97,
    callbacks: false,
    deleteOnLeave: false,
  }),
  APP({
    key: 'GitHubEnterprise',
    id: 'github-enterprise',
    name: 'GitHub Enterprise',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://api.github.com/scim/v2/enterprises/contoso',
    objectTypes: ['user', 'group', 'account'],
    assignedShare: 0.3,
    callbacks: false,
    deleteOnLeave: true,
  }),
  APP({
    key: 'Zoom',
    id: 'zoom',
    name: 'Zoom',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://api.zoom.us/scim2',
    objectTypes: ['user'],
    assignedShare: 0.6,
    callbacks: false,
    deleteOnLeave: true,
  }),
  APP({
    key: 'GoogleWorkspace',
    id: 'google-workspace',
    name: 'Google Workspace',
    connector: 'external',
    api: 'google',
    matchOn: 'primaryEmail',
    endpoint: 'https://admin.googleapis.com/admin/directory/v1',
    objectTypes: ['user', 'group', 'organization', 'account'],
    assignedShare: 1,
    callbacks: false,
    deleteOnLeave: false,
  }),
  APP({
    key: 'AtlassianCloud',
    id: 'atlassian-cloud',
    name: 'Atlassian Cloud',
    connector: 'scim',
    api: 'scim',
    matchOn: 'userName',
    endpoint: 'https://api.atlassian.com/scim/directory/5f1d0c0e-7a5b-4d8e-9c3f-2b6a1e4d7c90',
    objectTypes: ['user', 'group', 'account'],
    assignedShare: 0.55,
    callbacks: false,
    deleteOnLeave: true,
  }),
  APP({
    key: 'Feishu',
    id: 'feishu',
    name: 'Feishu',
    connector: 'external',
    api: 'feishu',
    matchOn: 'email',
    endpoint: 'https://open.feishu.cn/open-apis/contact/v3',
    objectTypes: ['user', 'organization', 'account'],
    assignedShare: 0.15,
    callbacks: true,
    deleteOnLeave: true,
  }),
];

export const [WORKDAY, LDAP] = DEMO_SYSTEMS as [DemoSystem, DemoSystem];
export const APPS = DEMO_SYSTEMS.filter((s) => s.kind === 'application');
const appNamed = (id: string): DemoSystem => APPS.find((a) => a.id === id)!;
export const SERVICENOW = appNamed('servicenow');
export const SALESFORCE = appNamed('salesforce');
export const SLACK = appNamed('slack');
export const GITHUB = appNamed('github-enterprise');
export const ZOOM = appNamed('zoom');
export const GOOGLE = appNamed('google-workspace');
export const ATLASSIAN = appNamed('atlassian-cloud');
export const FEISHU = appNamed('feishu');
const FIRST_APP = DEMO_SYSTEMS.indexOf(APPS[0]!);
export function appIndex(a: DemoSystem): number {
  return a.index - FIRST_APP;
}
const APPS_WITH = (t: ObjectType) => APPS.filter((a) => a.objectTypes.includes(t));
export const GROUP_APPS = APPS_WITH('group');
export const ROLE_APPS = APPS_WITH('role');
export const ORG_APPS = APPS_WITH('organization');
export const ACCOUNT_APPS = APPS_WITH('account');
