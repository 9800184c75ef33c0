import type { Actor, IdentityRef, ModifiedProperty } from '../model/entry.ts';
import type { DemoSystem } from './demo-systems.ts';
import type { Subject } from './failure-catalog.ts';
import { comboOf } from './name-cultures.ts';
import { DOMAIN } from './payload-constants.ts';
import { hex8, mix32, uuidFrom } from './prng.ts';

/** The first people are always these: the names the console's examples and tests look for. */
export const FIXED_COMBOS = [
  comboOf(3, 'Zoë', 'Ångström'),
  comboOf(4, 'Łukasz', 'Żółć'),
  comboOf(8, '太郎', '山田'),
  comboOf(11, 'Ольга', 'Иванова'),
  comboOf(12, 'محمد', 'علي'),
];

export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'Human Resources',
  'Legal',
  'Customer Success',
  'IT Operations',
  'Research',
  'Facilities',
  'Procurement',
  'Security',
] as const;
export const TITLES = [
  'Software Engineer',
  'Account Executive',
  'Marketing Manager',
  'Financial Analyst',
  'HR Business Partner',
  'Legal Counsel',
  'Customer Success Manager',
  'Systems Administrator',
  'Research Scientist',
  'Facilities Coordinator',
  'Procurement Specialist',
  'Security Analyst',
] as const;
export const SENIORITY = ['', '', '', 'Senior ', 'Senior ', 'Lead ', 'Principal '] as const;
export const TITLE_TABLE = SENIORITY.flatMap((s) => TITLES.map((t) => s + t));

export interface Person {
  idx: number;
  hubId: string;
  employeeId: string;
  login: string;
  mail: string;
  name: string;
  given: string;
  family: string;
  dept: number;
  title: string;
  office: string;
  managerIdx: number;
  /** Bit i: assigned to APPS[i]. */
  assigned: number;
  /** The applications the person is assigned to. */
  apps: DemoSystem[];
  /** Made on first use: most people met in a large history are met once. */
  dn: string | undefined;
  hubRef: IdentityRef | undefined;
  subjects: Array<Subject | undefined> | undefined;
  createMods: ModifiedProperty[] | undefined;
  scimBody: unknown;
}

const ALPHANUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(h: number, n: number, upper = false): string {
  let out = '';
  const radix = upper ? 36 : 62;
  for (let i = 0; i < n; i++) {
    h = mix32(h + i);
    out += ALPHANUM[h % radix]!;
  }
  return out;
}

/** The id an application gives an object, in that application's own style. */
export function targetIdFor(app: DemoSystem, h: number): string {
  switch (app.id) {
    case 'servicenow':
      return hex8(h) + hex8(mix32(h + 1)) + hex8(mix32(h + 2)) + hex8(mix32(h + 3));
    case 'salesforce':
      return `005Dn00000${base62(h, 8)}`;
    case 'slack':
      return `U0${base62(h, 9, true)}`;
    case 'zoom':
      return base62(h, 22).replace(/[0-9]/, '-');
    case 'google-workspace':
      return `1${String(mix32(h) % 1e9).padStart(9, '0')}${String(mix32(h + 7) % 1e9).padStart(9, '0')}`;
    case 'feishu':
      return `ou_${hex8(h)}${hex8(mix32(h + 1))}${hex8(mix32(h + 2))}${hex8(mix32(h + 3))}`;
    default:
      return uuidFrom(h, mix32(h + 1), mix32(h + 2), mix32(h + 3));
  }
}

export interface Named {
  id: string;
  name: string;
}

export const APP_GROUPS = [
  'github-enterprise-users',
  'github-admins',
  'slack-announcements-owners',
  'zoom-pro-licensed',
  'servicenow-itil',
  'salesforce-sales-cloud',
  'atlassian-jira-users',
  'gws-all-staff',
  'feishu-shanghai',
  'VPN Users',
  'Contractors',
  'People Managers',
];
export const ROLES: Record<string, readonly string[]> = {
  servicenow: ['itil', 'itil_admin', 'approver_user', 'knowledge_manager', 'asset'],
  salesforce: ['Standard User', 'Sales Manager', 'Marketing User', 'Read Only', 'Solution Manager'],
  'github-enterprise': [
    'org:contoso-eng member',
    'org:contoso-eng owner',
    'team:platform maintainer',
    'Copilot Business seat',
  ],
  'google-workspace': [
    'Groups Admin',
    'User Management Admin',
    'Help Desk Admin',
    'Google Vault reader',
  ],
  'atlassian-cloud': [
    'jira-software-users',
    'confluence-users',
    'jira-administrators',
    'site-admins',
  ],
  feishu: ['Approver', 'HR Admin', 'Department Admin', 'Member'],
};
export const ADMINS: readonly Actor[] = [
  ['Priya Raman', 'priya.raman'],
  ['Jonas Weiß', 'jonas.weiss'],
  ['Aiko Tanaka', 'aiko.tanaka'],
  ['Mateo Fernández', 'mateo.fernandez'],
  ["Grace O'Brien", 'grace.obrien'],
  ['Сергей Волков', 'sergey.volkov'],
].map(([displayName, login]) => ({
  type: 'user' as const,
  id: `${login}@${DOMAIN}`,
  displayName: displayName!,
}));
export const API_TOKEN: Actor = {
  type: 'token',
  id: 'tok_hr_integration_01',
  displayName: 'HR integration (API token)',
};
