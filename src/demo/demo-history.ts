import type {
  Action,
  Direction,
  EntryStatus,
  ObjectType,
  SkipReason,
  Source,
  TriggerMethod,
  TriggerModule,
} from '../model/enums.ts';
import { ACTIONS, OBJECT_TYPES } from '../model/enums.ts';
import type {
  Actor,
  EntryInput,
  IdentityRef,
  ModifiedProperty,
  Step,
  SystemRef,
} from '../model/entry.ts';
import { lookupErrorCode } from '../model/error-codes.ts';
import type { TaskInput } from '../model/task.ts';
import { Prng, hash2, hash3, hex8, mix32, ulidAt, uuidFrom } from './prng.ts';

/**
 * A deterministic generator of realistic provisioning history for `provlog demo`, `npm start`
 * and the benchmark: the same seed and `now` always give the same tasks and entries.
 */
export interface DemoOptions {
  /** The end of the history (epoch ms); nothing is dated after it except `retryAt`. */
  now: number;
  /** How many days of history, ending at `now`. Default 30. */
  days?: number;
  seed?: number;
  /** Approximate number of entries. Default 20,000. */
  entries?: number;
}

export interface DemoBatch {
  tasks: TaskInput[];
  entries: EntryInput[];
}

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

const BATCH = 5000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const DOMAIN = 'contoso.com';
const LDAP_BASE = 'dc=corp,dc=contoso,dc=com';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** An unsigned demo JWT: the store redacts the Authorization header before it writes. */
const DEMO_BEARER = 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJwcm92bG9nLWRlbW8ifQ.';

function fnv(s: string): number {
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

const SCIM_HEADERS = Object.freeze({
  Authorization: DEMO_BEARER,
  'Content-Type': 'application/scim+json',
});
const JSON_HEADERS = Object.freeze({
  Authorization: DEMO_BEARER,
  'Content-Type': 'application/json',
});
const USER_SCHEMAS = Object.freeze([SCIM_USER, SCIM_ENTERPRISE]);
const PATCH_SCHEMAS = Object.freeze([SCIM_PATCH]);
const ERROR_SCHEMAS = Object.freeze([SCIM_ERROR]);

const TYPE_INDEX = Object.fromEntries(OBJECT_TYPES.map((t, i) => [t, i])) as Record<
  ObjectType,
  number
>;
const ACTION_INDEX = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<Action, number>;

function frozen<T extends object>(o: T): T {
  return Object.freeze(o);
}

/** Freezes a cached JSON-like value all the way down: entries share it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const USER_META = Object.freeze({ resourceType: 'User' });
const RESPONSE_204 = Object.freeze({ status: 204 });
const SCIM_ENABLE = Object.freeze({
  schemas: PATCH_SCHEMAS,
  Operations: Object.freeze([Object.freeze({ op: 'replace', path: 'active', value: true })]),
});
const SCIM_DISABLE = Object.freeze({
  schemas: PATCH_SCHEMAS,
  Operations: Object.freeze([Object.freeze({ op: 'replace', path: 'active', value: false })]),
});

const [WORKDAY, LDAP] = DEMO_SYSTEMS as [DemoSystem, DemoSystem];
const APPS = DEMO_SYSTEMS.filter((s) => s.kind === 'application');
const appNamed = (id: string): DemoSystem => APPS.find((a) => a.id === id)!;
const SERVICENOW = appNamed('servicenow');
const SALESFORCE = appNamed('salesforce');
const SLACK = appNamed('slack');
const GITHUB = appNamed('github-enterprise');
const ZOOM = appNamed('zoom');
const GOOGLE = appNamed('google-workspace');
const ATLASSIAN = appNamed('atlassian-cloud');
const FEISHU = appNamed('feishu');
const FIRST_APP = DEMO_SYSTEMS.indexOf(APPS[0]!);
function appIndex(a: DemoSystem): number {
  return a.index - FIRST_APP;
}
const APPS_WITH = (t: ObjectType) => APPS.filter((a) => a.objectTypes.includes(t));
const GROUP_APPS = APPS_WITH('group');
const ROLE_APPS = APPS_WITH('role');
const ORG_APPS = APPS_WITH('organization');
const ACCOUNT_APPS = APPS_WITH('account');

// ---------------------------------------------------------------------------------------
// People: names from many scripts, so that identity search is exercised beyond ASCII.
// ---------------------------------------------------------------------------------------

interface NamePart {
  d: string;
  a: string;
  female: boolean;
  fd: string | undefined;
  fa: string | undefined;
}

interface Culture {
  first: NamePart[];
  last: NamePart[];
  /** w: "Given Family"; e: "Family Given"; E: "FamilyGiven" (no space). */
  order: 'w' | 'e' | 'E';
  offices: readonly string[];
}

/** `display:ascii:f` for given names, `display:ascii:femDisplay:femAscii` for family names. */
function parts(spec: string, family: boolean): NamePart[] {
  return spec.split(',').map((raw) => {
    const [d = '', a, x, y] = raw.trim().split(':');
    const ascii = a || d.toLowerCase().replace(/[^a-z]/g, '');
    return family
      ? { d, a: ascii, female: false, fd: x, fa: y }
      : { d, a: ascii, female: x === 'f', fd: undefined, fa: undefined };
  });
}

const culture = (
  first: string,
  last: string,
  order: Culture['order'],
  offices: string[],
): Culture => ({
  first: parts(first, false),
  last: parts(last, true),
  order,
  offices,
});

const CULTURES: readonly Culture[] = [
  culture(
    'James,Olivia::f,Liam,Emma::f,Noah,Ava::f,William,Sophia::f,Benjamin,Mia::f,Henry,Charlotte::f,Jack,Grace::f,Daniel,Chloe::f,Samuel,Emily::f,Ethan,Hannah::f',
    "Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Jackson,Thompson,White,Harris,Clark,Lewis,O'Brien:obrien",
    'w',
    ['London', 'New York', 'Toronto'],
  ),
  culture(
    'Jürgen:juergen,Anna::f,Lukas,Lena::f,Jonas,Leonie::f,Felix,Sophie::f,Maximilian,Marie::f,Björn:bjoern,Käthe:kaethe:f',
    'Müller:mueller,Schmidt,Schneider,Fischer,Weiß:weiss,Köhler:koehler,Schröder:schroeder,Wagner,Becker,Hoffmann,Schäfer:schaefer,Günther:guenther',
    'w',
    ['Berlin', 'Zürich'],
  ),
  culture(
    'François:francois,Hélène:helene:f,José:jose,Inés:ines:f,Chloé:chloe:f,Noémie:noemie:f,Mateo,Léa:lea:f,Joaquín:joaquin,Camille::f,Thiago,Bérénice:berenice:f,Sebastián:sebastian,Inês:ines:f,João:joao',
    'Lefèvre:lefevre,Núñez:nunez,Peña:pena,Gómez:gomez,Dubois,Martínez:martinez,Fernández:fernandez,Moreau,Gonçalves:goncalves,Rodríguez:rodriguez,Girard,Sánchez:sanchez,Faure,Araújo:araujo,Rousseau',
    'w',
    ['Paris', 'Madrid', 'São Paulo'],
  ),
  culture(
    'Zoë:zoe:f,Åsa:asa:f,Søren:soren,Bjørn:bjorn,Øyvind:oyvind,Ingrid::f,Lars,Sigríður:sigridur:f,Mikael,Elin::f',
    'Ångström:angstrom,Sjöberg:sjoberg,Lindqvist,Johansson,Nielsen,Håkansson:hakansson,Løvstad:lovstad,Bergström:bergstrom,Jónsdóttir:jonsdottir,Eriksen',
    'w',
    ['Stockholm', 'Oslo'],
  ),
  culture(
    'Łukasz:lukasz,Małgorzata:malgorzata:f,Grzegorz,Agnieszka::f,Jiří:jiri,Zuzana::f,Paweł:pawel,Katarzyna::f,Tomáš:tomas,Łucja:lucja:f',
    'Żółć:zolc,Wójcik:wojcik,Dvořák:dvorak:Dvořáková:dvorakova,Kowalczyk,Zieliński:zielinski:Zielińska:zielinska,Szymański:szymanski:Szymańska:szymanska,Świątek:swiatek,Nowak,Černý:cerny:Černá:cerna,Wiśniewski:wisniewski:Wiśniewska:wisniewska',
    'w',
    ['Warsaw', 'Prague'],
  ),
  culture(
    'Çağlar:caglar,Gülşen:gulsen:f,Emre,Elif::f,Murat,Zeynep::f,Barış:baris,Ayşe:ayse:f',
    'Yılmaz:yilmaz,Öztürk:ozturk,Şahin:sahin,Kaya,Demir,Çelik:celik,Arslan,Doğan:dogan',
    'w',
    ['Istanbul'],
  ),
  culture(
    'Priya::f,Arjun,Ananya::f,Rohan,Divya::f,Vikram,Kavya::f,Rahul,Sneha::f,Aditya,Lakshmi::f,Karthik',
    'Raman,Mehta,Iyer,Sharma,Patel,Reddy,Nair,Gupta,Krishnan,Banerjee,Rao,Menon',
    'w',
    ['Bangalore', 'London'],
  ),
  culture(
    'Thị Hương:huong:f,Văn An:an,Minh Tuấn:tuan,Thu Hà:ha:f,Quốc Bảo:bao,Ngọc Lan:lan:f',
    'Nguyễn:nguyen,Trần:tran,Lê:le,Phạm:pham,Hoàng:hoang,Võ:vo',
    'e',
    ['Ho Chi Minh City'],
  ),
  culture(
    '太郎:taro,花子:hanako:f,翔太:shota,美咲:misaki:f,健一:kenichi,由美:yumi:f,大輔:daisuke,陽菜:hina:f,拓也:takuya,愛子:aiko:f',
    '山田:yamada,佐藤:sato,鈴木:suzuki,高橋:takahashi,田中:tanaka,伊藤:ito,渡辺:watanabe,中村:nakamura,小林:kobayashi,加藤:kato',
    'e',
    ['Tokyo'],
  ),
  culture(
    '伟:wei,芳:fang:f,娜:na:f,敏:min:f,静:jing:f,磊:lei,洋:yang,婷:ting:f,杰:jie,秀英:xiuying:f,志强:zhiqiang,欣怡:xinyi:f',
    '王:wang,李:li,张:zhang,刘:liu,陈:chen,杨:yang,黄:huang,赵:zhao,吴:wu,周:zhou',
    'E',
    ['Shanghai', 'Shenzhen'],
  ),
  culture(
    '민준:minjun,서연:seoyeon:f,지훈:jihoon,하은:haeun:f,도윤:doyoon,지우:jiwoo:f',
    '김:kim,이:lee,박:park,최:choi,정:jung,강:kang',
    'E',
    ['Seoul'],
  ),
  culture(
    'Ольга:olga:f,Иван:ivan,Дмитрий:dmitry,Анна:anna:f,Сергей:sergey,Наталья:natalia:f,Алексей:alexey,Екатерина:ekaterina:f,Михаил:mikhail,Татьяна:tatiana:f',
    'Иванов:ivanov:Иванова:ivanova,Смирнов:smirnov:Смирнова:smirnova,Кузнецов:kuznetsov:Кузнецова:kuznetsova,Попов:popov:Попова:popova,Соколов:sokolov:Соколова:sokolova,Лебедев:lebedev:Лебедева:lebedeva,Шевченко:shevchenko,Коваленко:kovalenko,Морозов:morozov:Морозова:morozova,Волков:volkov:Волкова:volkova',
    'w',
    ['Berlin', 'Warsaw'],
  ),
  culture(
    'محمد:mohammed,أحمد:ahmed,فاطمة:fatima:f,مريم:maryam:f,يوسف:youssef,ليلى:layla:f,عمر:omar,نور:nour:f',
    'علي:ali,حسن:hassan,الخطيب:alkhatib,المصري:almasri,حداد:haddad,منصور:mansour,الحسيني:alhusseini,سعيد:saeed',
    'w',
    ['Dubai', 'Cairo'],
  ),
  culture(
    'Γιώργος:giorgos,Ελένη:eleni:f,Νίκος:nikos,Μαρία:maria:f,Δημήτρης:dimitris,Σοφία:sofia:f',
    'Παπαδόπουλος:papadopoulos:Παπαδοπούλου:papadopoulou,Οικονόμου:oikonomou,Γεωργίου:georgiou,Νικολάου:nikolaou,Κωνσταντίνου:konstantinou,Βλάχος:vlachos:Βλάχου:vlachou',
    'w',
    ['Athens'],
  ),
  culture(
    'נועה:noa:f,דוד:david,תמר:tamar:f,יונתן:yonatan,מיכל:michal:f,איתי:itai',
    'כהן:cohen,לוי:levi,מזרחי:mizrahi,פרץ:peretz,ביטון:biton,אברהם:avraham',
    'w',
    ['Tel Aviv'],
  ),
  culture(
    'अनन्या:ananya:f,राहुल:rahul,प्रिया:priya:f,अर्जुन:arjun,दीपिका:deepika:f,विकास:vikas',
    'शर्मा:sharma,वर्मा:verma,गुप्ता:gupta,सिंह:singh,जोशी:joshi,मिश्रा:mishra',
    'w',
    ['Bangalore'],
  ),
];

/** Every (culture, given, family) combination, numbered: a person's name is one of them. */
const COMBO_STARTS: number[] = [];
let COMBOS = 0;
for (const c of CULTURES) {
  COMBO_STARTS.push(COMBOS);
  COMBOS += c.first.length * c.last.length;
}

function comboOf(cultureIdx: number, given: string, family: string): number {
  const c = CULTURES[cultureIdx]!;
  const f = c.first.findIndex((p) => p.d === given);
  const l = c.last.findIndex((p) => p.d === family || p.fd === family);
  if (f < 0 || l < 0) throw new Error(`demo name ${given} ${family} is not in its culture`);
  return COMBO_STARTS[cultureIdx]! + l * c.first.length + f;
}

/** The first people are always these: the names the console's examples and tests look for. */
const FIXED_COMBOS = [
  comboOf(3, 'Zoë', 'Ångström'),
  comboOf(4, 'Łukasz', 'Żółć'),
  comboOf(8, '太郎', '山田'),
  comboOf(11, 'Ольга', 'Иванова'),
  comboOf(12, 'محمد', 'علي'),
];

const DEPARTMENTS = [
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
const TITLES = [
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
const SENIORITY = ['', '', '', 'Senior ', 'Senior ', 'Lead ', 'Principal '] as const;
const TITLE_TABLE = SENIORITY.flatMap((s) => TITLES.map((t) => s + t));

interface Person {
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
function targetIdFor(app: DemoSystem, h: number): string {
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

interface Named {
  id: string;
  name: string;
}

const APP_GROUPS = [
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
const ROLES: Record<string, readonly string[]> = {
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
const ADMINS: readonly Actor[] = [
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
const API_TOKEN: Actor = {
  type: 'token',
  id: 'tok_hr_integration_01',
  displayName: 'HR integration (API token)',
};

// ---------------------------------------------------------------------------------------
// Failures: real catalog codes with the reasons connectors write.
// ---------------------------------------------------------------------------------------

interface Subject {
  type: ObjectType;
  person: Person | undefined;
  name: string;
  /** The matching value (userName, group name, OU, role). */
  key: string;
  hubId: string;
  srcId: string;
  srcType: string;
  tgtId: string | undefined;
  tgtType: string;
  /** The identities as entries show them (shared, frozen). */
  srcRef: IdentityRef;
  tgtRef: IdentityRef;
  /** Made on first use and shared by the subject's entries. */
  imp: Step | undefined;
  match: Step | undefined;
  url: string | undefined;
  okBody: unknown;
  okCreate: unknown;
}

interface ReasonArgs {
  sys: DemoSystem;
  s: Subject;
  n: number;
  other: string;
}

interface FailKind {
  code: string;
  http: number;
  weight: number;
  /** Actions it can happen on; null for any. */
  actions: readonly Action[] | null;
  /** Systems it can happen in; null for any. */
  systems: readonly string[] | null;
  /** The step that fails. */
  stage: 'import' | 'matching' | 'provision';
  transient: boolean;
  scimType?: string;
  reason: (x: ReasonArgs) => string;
}

function failKind(
  k: Omit<FailKind, 'transient' | 'stage' | 'http' | 'actions' | 'systems'> & Partial<FailKind>,
): FailKind {
  const info = lookupErrorCode(k.code);
  if (!info) throw new Error(`demo error code ${k.code} is not in the catalog`);
  return {
    stage: 'provision',
    http: 0,
    actions: null,
    systems: null,
    ...k,
    transient: info.transient,
  };
}

const THROTTLED = ['slack', 'github-enterprise', 'zoom', 'google-workspace', 'atlassian-cloud'];
const OUTBOUND_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'EntryConflict',
    http: 409,
    weight: 16,
    actions: ['create', 'enable'],
    scimType: 'uniqueness',
    reason: ({ s, sys }) => `userName '${s.key}' already exists in ${sys.name}`,
  }),
  failKind({
    code: 'TooManyRequests',
    http: 429,
    weight: 14,
    systems: THROTTLED,
    reason: ({ sys, n }) =>
      `${sys.name} throttled the request (HTTP 429 Too Many Requests); Retry-After: ${n} s`,
  }),
  failKind({
    code: 'InternalServerError',
    http: 500,
    weight: 7,
    reason: ({ sys }) => `${sys.name} answered HTTP 500 Internal Server Error`,
  }),
  failKind({
    code: 'InternalServerError',
    http: 502,
    weight: 3,
    reason: ({ sys }) => `HTTP 502 Bad Gateway from the proxy in front of ${sys.name}`,
  }),
  failKind({
    code: 'ServiceUnavailable',
    http: 503,
    weight: 3,
    reason: ({ sys }) =>
      `${sys.name} is unavailable (HTTP 503 Service Unavailable): scheduled maintenance`,
  }),
  failKind({
    code: 'Timeout',
    weight: 6,
    reason: ({ sys }) => `No response from ${sys.name} within 30 seconds`,
  }),
  failKind({
    code: 'Unauthorized',
    http: 403,
    weight: 3,
    systems: ['zoom', 'servicenow', 'salesforce'],
    reason: ({ sys }) =>
      `${sys.name} refused the request (HTTP 403 Forbidden): the integration user lacks the permission to manage users`,
  }),
  failKind({
    code: 'MethodNotAllowed',
    http: 405,
    weight: 6,
    actions: ['delete'],
    systems: ['zoom', 'github-enterprise', 'atlassian-cloud'],
    reason: ({ sys }) =>
      `${sys.name} does not allow deleting users through SCIM (HTTP 405 Method Not Allowed)`,
  }),
  failKind({
    code: 'NotPermitted',
    http: 403,
    weight: 6,
    actions: ['delete', 'disable'],
    systems: ['feishu', 'google-workspace', 'servicenow'],
    reason: ({ sys, s }) =>
      `${sys.name} does not permit removing '${s.key}': the account owns resources that must be transferred by hand first`,
  }),
  failKind({
    code: 'InvalidAnchor',
    http: 404,
    weight: 6,
    actions: ['update', 'disable', 'delete', 'enable'],
    stage: 'matching',
    reason: ({ sys, s }) =>
      `The ${sys.name} user ${s.tgtId ?? ''} matched earlier (anchor externalId '${s.hubId}') no longer exists: it was deleted in ${sys.name}`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    http: 400,
    weight: 7,
    actions: ['create'],
    reason: () => `Required attribute 'email' is missing`,
  }),
  failKind({
    code: 'DuplicateTargetEntries',
    weight: 4,
    actions: ['create', 'update'],
    stage: 'matching',
    reason: ({ sys, s }) => `Matching on userName '${s.key}' returned 2 users in ${sys.name}`,
  }),
  failKind({
    code: 'LicenseLimitExceeded',
    http: 400,
    weight: 5,
    actions: ['create', 'enable'],
    systems: ['salesforce', 'zoom', 'github-enterprise', 'atlassian-cloud'],
    reason: ({ sys }) =>
      `${sys.name} has no licenses left to assign (${sys.id === 'salesforce' ? 250 : 500} of ${sys.id === 'salesforce' ? 250 : 500} in use)`,
  }),
  failKind({
    code: 'SchemaAttributeNotFound',
    http: 400,
    weight: 3,
    actions: ['create', 'update'],
    systems: ['github-enterprise', 'slack', 'atlassian-cloud'],
    reason: ({ sys }) => `Attribute '${SCIM_ENTERPRISE}:costCenter' is not in ${sys.name}'s schema`,
  }),
  failKind({
    code: 'InvalidDomain',
    http: 400,
    weight: 3,
    actions: ['create'],
    systems: ['google-workspace'],
    reason: ({ s }) =>
      `Domain 'contoso-partners.com' of '${s.key.split('@')[0]}@contoso-partners.com' is not a verified domain of this Google Workspace account`,
  }),
  failKind({
    code: 'ScimInvalidValue',
    http: 400,
    weight: 2,
    actions: ['create', 'update'],
    systems: ['servicenow', 'slack', 'zoom', 'atlassian-cloud'],
    scimType: 'invalidValue',
    reason: () =>
      `Attribute 'phoneNumbers[type eq "work"].value' has an invalid value '+44 20 7946 0958 ext. 12'`,
  }),
  failKind({
    code: 'UnprocessableEntity',
    http: 422,
    weight: 2,
    actions: ['update'],
    reason: ({ sys }) =>
      `${sys.name} could not process the request (HTTP 422): "Manager must be an active user"`,
  }),
  failKind({
    code: 'SchemaPropertyCanOnlyAcceptValue',
    weight: 1,
    actions: ['update', 'create'],
    systems: ['salesforce', 'servicenow'],
    reason: ({ sys }) =>
      `Property 'department' of ${sys.name} accepts one value, but the source has 2`,
  }),
  failKind({
    code: 'AuthenticationFailed',
    http: 401,
    weight: 1,
    reason: ({ sys }) =>
      `${sys.name} rejected provlog's OAuth token (HTTP 401 Unauthorized): the token expired`,
  }),
];

const CSV_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'CsvMalformedRow',
    weight: 3,
    stage: 'import',
    reason: ({ n }) => `Row ${n} has 11 fields; the header has 12`,
  }),
  failKind({
    code: 'CsvInvalidValue',
    weight: 3,
    stage: 'import',
    reason: ({ n }) =>
      `Row ${n}: 'hireDate' value '31/02/2026' is not a date (expected YYYY-MM-DD)`,
  }),
  failKind({
    code: 'CsvInvalidValue',
    weight: 2,
    stage: 'import',
    reason: ({ n, other }) => `Row ${n}: 'managerId' value '${other}' is not a known employeeId`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    weight: 3,
    stage: 'import',
    reason: ({ n }) => `Row ${n}: required column 'email' is empty`,
  }),
  failKind({
    code: 'DuplicateSourceEntries',
    weight: 2,
    stage: 'matching',
    reason: ({ n, s }) => `employeeId '${s.srcId}' appears on rows ${n} and ${n + 117}`,
  }),
];

const LDAP_FAILURES: readonly FailKind[] = [
  failKind({
    code: 'LdapNoSuchObject',
    weight: 3,
    stage: 'provision',
    reason: ({ other, s }) => `Manager '${other}' of ${s.srcId} does not exist in Corp LDAP`,
  }),
  failKind({
    code: 'MandatoryFieldsMissing',
    weight: 2,
    stage: 'import',
    reason: ({ s }) => `Required attribute 'mail' is missing on ${s.srcId}`,
  }),
  failKind({
    code: 'DuplicateSourceEntries',
    weight: 1,
    stage: 'matching',
    reason: ({ s, other }) =>
      `employeeNumber '${s.person?.employeeId ?? ''}' is set on ${s.srcId} and ${other}`,
  }),
  failKind({
    code: 'ImportSkipped',
    weight: 1,
    stage: 'import',
    reason: () => `The entry has no value for the matching attribute employeeNumber`,
  }),
  failKind({
    code: 'LdapInsufficientAccess',
    weight: 1,
    stage: 'import',
    reason: ({ s }) =>
      `Reading 'manager' of ${s.srcId} was refused: insufficient access rights (LDAP result 50)`,
  }),
  failKind({
    code: 'LdapTimeout',
    weight: 2,
    stage: 'import',
    reason: ({ s }) => `Corp LDAP did not answer the read of ${s.srcId} within 10 seconds`,
  }),
];

const CALLBACK_REJECTED = failKind({
  code: 'CallbackRejected',
  weight: 0,
  reason: ({ sys }) =>
    `${sys.name} reported through its callback that the change failed: "department_ids contains a department that does not exist"`,
});

const CONFIRMABLE = new Set([
  'NotPermitted',
  'MethodNotAllowed',
  'Unauthorized',
  'InvalidAnchor',
  'NoCallback',
]);
const FIXABLE = new Set([
  'EntryConflict',
  'MandatoryFieldsMissing',
  'DuplicateTargetEntries',
  'LicenseLimitExceeded',
  'SchemaAttributeNotFound',
  'InvalidDomain',
  'ScimInvalidValue',
  'UnprocessableEntity',
  'SchemaPropertyCanOnlyAcceptValue',
  'AuthenticationFailed',
  'RetriesExhausted',
  'CallbackRejected',
]);

const PAST: Record<Action, string> = {
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
  disable: 'Disabled',
  enable: 'Enabled',
  staged_delete: 'Held for deletion',
  confirm: 'Confirmed',
  other: 'Changed',
};
const TYPE_WORD: Record<ObjectType, string> = {
  user: 'User',
  group: 'Group',
  organization: 'Organization',
  account: 'Account',
  role: 'Role',
};
const TYPE_LOWER: Record<ObjectType, string> = {
  user: 'user',
  group: 'group',
  organization: 'organization',
  account: 'account',
  role: 'role',
};

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

/** What produced an entry: a task or a single change, and who or what triggered it. */
interface Ctx {
  taskId: string | null;
  jobId: string;
  cycleId: string;
  direction: Direction;
  module: TriggerModule;
  moduleName: string;
  method: TriggerMethod;
  source: Source;
  /** The identity provider (inbound) or application (outbound) of the entry. */
  sys: DemoSystem;
  actor: Actor | undefined;
  run: TaskRun | null;
  file?: string;
}

interface TaskRun {
  task: TaskInput;
  entries: EntryInput[];
  times: number[];
  later: EntryInput[];
  laterTimes: number[];
  clock: number;
  gap: number;
  maxT: number;
  failed: number;
  processed: number;
  retrigger: Array<{
    c: Ctx;
    s: Subject;
    action: Action;
    op: string;
    attempt: number;
    kind: FailKind;
  }>;
}

interface EOpts {
  op?: string | undefined;
  skip?: SkipReason;
  kind?: FailKind | undefined;
  code?: string;
  reason?: string | undefined;
  retryAt?: number;
  attempt?: number;
  max?: number;
  mods?: ModifiedProperty[] | undefined;
  perm?: { bound: string[]; unbound: string[] } | undefined;
  approver?: Actor | undefined;
  row?: number;
  retryAfter?: number;
  /** false: no request was sent (inbound, skips, failures before the call). */
  call?: boolean;
}

type Follow = 'auto' | 'none' | 'confirm' | 'retry' | 'retrigger';

interface OutOpts {
  pFail: number;
  member?: Person;
  code?: string | undefined;
  follow?: Follow;
  perm?: { bound: string[]; unbound: string[] } | undefined;
  approver?: Actor | undefined;
  commit?: boolean;
}

interface TaskSpec {
  start: number;
  sys: DemoSystem;
  module?: TriggerModule;
  moduleName?: string;
  method: TriggerMethod;
  source: Source;
  parameters: Record<string, unknown>;
  parentTaskId?: string;
  event?: string;
  jobless?: boolean;
  count: number;
  /** The shortest the task takes, so a task started just before `now` is still running. */
  minDuration?: number;
}

class DemoRun {
  private readonly rng: Prng;
  private readonly seed: number;
  private readonly now: number;
  private readonly start: number;
  private readonly span: number;
  private readonly target: number;
  private readonly peopleCount: number;
  private readonly cache: Array<Person | undefined>;
  private readonly cacheMask: number;
  private readonly busy: number;
  private readonly step: number;
  private readonly comboOffset: number;
  private readonly groups: Named[];
  private readonly orgs: Named[];
  /**
   * Entries made but not yet written, by the hour they fall in (with their times alongside):
   * follow-ups and long tasks land in later hours, and each hour is sorted once when it is due.
   */
  private buckets: Array<{ t: number[]; e: EntryInput[] } | undefined> = [];
  private pendingTasks: Array<{ t: number; task: TaskInput }> = [];
  private outEntries: EntryInput[] = [];
  private outTasks: TaskInput[] = [];
  private changeN = 0;
  private readonly changeMask: number;
  private readonly stepCache = new Map<string, Step>();
  private readonly stepById: Array<Step | undefined> = [];
  private readonly texts: Array<string | undefined> = [];
  private readonly namedCache = new Map<Named, Subject[]>();
  private readonly failCache = new Map<
    string,
    { kinds: FailKind[]; weights: number[]; total: number }
  >();
  private scripted: Array<{ t: number; run: () => void }> = [];
  private lastLdap = 0;
  // Budgets: how many entries (or events) each kind of activity gets.
  private readonly perLdap: number;
  private readonly perCsv: number;
  private readonly perGroupCsv: number;
  private readonly perFullSync: number;
  private readonly outEvents: number;
  private readonly inEvents: number;
  private readonly iamEvents: number;
  private readonly weights: Float64Array;
  private readonly weightTotal: number;
  private acc = { out: 0, inb: 0, iam: 0 };
  private clock = 0;
  private member: Person | undefined;
  private readonly ctxCache: Array<Ctx | undefined> = [];
  private readonly cycleNum: number[] = [];
  private readonly cycleIds: string[] = [];
  private lastMods: ModifiedProperty[] | undefined;
  private lastPatch: unknown;
  private isoHour = -1;
  private readonly isoPrefix = new Uint16Array(14);

  constructor(opts: DemoOptions) {
    this.seed = (opts.seed ?? 0x5eed) | 0;
    this.rng = new Prng(mix32(this.seed ^ 0x2545f491));
    this.now = Math.floor(opts.now);
    const days = opts.days ?? 30;
    this.span = Math.max(HOUR, Math.round(days * DAY));
    this.start = this.now - this.span;
    this.target = Math.max(50, Math.round(opts.entries ?? 20_000));
    this.peopleCount = Math.max(200, Math.round(this.target / 20));
    // Bounded: at 10M entries there are 500,000 people, and what a cached person holds is live.
    const cacheSize = Math.min(1 << 16, 1 << Math.ceil(Math.log2(this.peopleCount)));
    this.busy = Math.max(1, Math.min(Math.floor(this.peopleCount / 10), 8192));
    // Filled, not `new Array(n)`: a large holey array may fall back to slow dictionary elements.
    this.cache = [];
    for (let i = 0; i < cacheSize; i++) this.cache.push(undefined);
    this.cacheMask = cacheSize - 1;
    this.step = coprimeStep(COMBOS, hash2(this.seed, 11));
    this.comboOffset = hash2(this.seed, 12) % COMBOS;
    this.changeMask = this.rng.u32();
    this.groups = [
      ...DEPARTMENTS.map((d) => `${d} – All`),
      ...[...new Set(CULTURES.flatMap((c) => c.offices))].map((o) => `All Staff ${o}`),
      ...APP_GROUPS,
    ].map((name) => ({
      name,
      id: uuidFrom(
        hash2(this.seed, fnv(name)),
        fnv(name),
        hash2(fnv(name), 3),
        hash2(this.seed, 5),
      ),
    }));
    this.orgs = DEPARTMENTS.map((d) => ({
      name: d,
      id: uuidFrom(hash2(this.seed, fnv(d) ^ 7), fnv(d), 17, hash2(fnv(d), 9)),
    }));

    const slots = Math.ceil(this.span / HOUR);
    this.weights = new Float64Array(slots);
    let total = 0;
    for (let k = 0; k < slots; k++) {
      const w = activity(this.start + k * HOUR + HOUR / 2);
      this.weights[k] = w;
      total += w;
    }
    this.weightTotal = total;

    const n = this.target;
    const ldapRuns = this.count(4 * HOUR, 15 * MIN, () => true);
    const csvRuns = this.count(DAY, 5 * HOUR + 30 * MIN, weekday);
    const groupRuns = this.count(WEEK, 4 * DAY + 6 * HOUR, () => true);
    const fullSyncs = APPS.reduce(
      (sum, _a, i) => sum + this.count(WEEK, 3 * DAY + HOUR + i * 45 * MIN, () => true),
      0,
    );
    this.perLdap = Math.max(1, Math.round((n * 0.15) / Math.max(1, ldapRuns)));
    this.perCsv = Math.max(2, Math.round((n * 0.11) / Math.max(1, csvRuns)));
    this.perGroupCsv = Math.max(2, Math.round((n * 0.015) / Math.max(1, groupRuns)));
    this.perFullSync = Math.max(3, Math.round((n * 0.12) / Math.max(1, fullSyncs)));
    this.outEvents = (n * 0.36) / 1.9;
    this.inEvents = n * 0.05;
    this.iamEvents = n * 0.07;
    this.planScripted();
  }

  *run(): Generator<DemoBatch> {
    const slots = this.weights.length;
    for (let k = 0; k < slots; k++) {
      const s0 = this.start + k * HOUR;
      const s1 = k === slots - 1 ? this.now + 1 : s0 + HOUR;
      this.plan(s0, s1, (this.weights[k] ?? 0) / this.weightTotal);
      this.flush(k, s1);
      if (this.outEntries.length >= BATCH) {
        const all = this.outEntries;
        let i = 0;
        for (; all.length - i >= BATCH; i += BATCH) {
          const tasks = this.outTasks;
          this.outTasks = [];
          yield { tasks, entries: all.slice(i, i + BATCH) };
        }
        this.outEntries = all.slice(i);
      }
    }
    if (this.outEntries.length > 0 || this.outTasks.length > 0) {
      yield { tasks: this.outTasks, entries: this.outEntries };
    }
  }

  /** Moves what happened in hour `k` (and tasks started before `until`) to the output, in time order. */
  private flush(k: number, until: number): void {
    const readyTasks = this.pendingTasks.filter((x) => x.t < until).sort((a, b) => a.t - b.t);
    if (readyTasks.length > 0) this.pendingTasks = this.pendingTasks.filter((x) => x.t >= until);
    for (const x of readyTasks) this.outTasks.push(x.task);
    const b = this.buckets[k];
    if (!b) return;
    this.buckets[k] = undefined;
    const times = b.t;
    const order: number[] = [];
    for (let i = 0; i < times.length; i++) order.push(i);
    order.sort((x, y) => times[x]! - times[y]! || x - y);
    for (const i of order) this.outEntries.push(b.e[i]!);
  }

  private due(t: number, e: EntryInput): void {
    if (t > this.now) return;
    const k = Math.max(0, Math.min(this.weights.length - 1, Math.floor((t - this.start) / HOUR)));
    const b = (this.buckets[k] ??= { t: [], e: [] });
    b.t.push(t);
    b.e.push(e);
  }

  private count(period: number, offset: number, keep: (t: number) => boolean): number {
    let n = 0;
    for (let t = firstAt(period, offset, this.start); t <= this.now; t += period) if (keep(t)) n++;
    return n;
  }

  // --- what happens in one hour -------------------------------------------------------

  private plan(s0: number, s1: number, share: number): void {
    const rng = this.rng;
    for (let t = firstAt(4 * HOUR, 15 * MIN, s0); t < s1; t += 4 * HOUR) {
      this.ldapImport(
        t + rng.int(20_000),
        new Date(t).getUTCHours() === 0 ? 'full' : 'incremental',
      );
    }
    for (let t = firstAt(DAY, 5 * HOUR + 30 * MIN, s0); t < s1; t += DAY) {
      if (weekday(t)) this.workdayCsv(t + rng.int(90_000), false, this.rng.chance(1 / 15));
    }
    for (let t = firstAt(WEEK, 4 * DAY + 6 * HOUR, s0); t < s1; t += WEEK)
      this.groupCsv(t + rng.int(60_000));
    APPS.forEach((app, i) => {
      for (let t = firstAt(WEEK, 3 * DAY + HOUR + i * 45 * MIN, s0); t < s1; t += WEEK) {
        this.fullSync(app, t + rng.int(30_000), { mode: 'full' });
      }
    });
    for (let t = firstAt(DAY, 8 * HOUR, s0); t < s1; t += DAY) {
      if (!weekday(t)) continue;
      const n = rng.range(0, 3);
      for (let i = 0; i < n; i++) this.accountSync(t + rng.int(9 * HOUR));
      if (rng.chance(0.25)) this.workdayCsv(t + rng.int(8 * HOUR), true, false);
    }
    const len = s1 - s0;
    this.acc.out += this.outEvents * share;
    for (; this.acc.out >= 1; this.acc.out--) this.outboundEvent(s0 + rng.int(len));
    this.acc.inb += this.inEvents * share;
    for (; this.acc.inb >= 1; this.acc.inb--) this.inboundChange(s0 + rng.int(len));
    this.acc.iam += this.iamEvents * share;
    for (; this.acc.iam >= 1; this.acc.iam--) this.iamEvent(s0 + rng.int(len));
    while (this.scripted.length > 0 && this.scripted[0]!.t < s1) this.scripted.shift()!.run();
  }

  // --- ids --------------------------------------------------------------------------

  private changeId(): string {
    const n = this.changeN++;
    return uuidFrom(
      this.rng.u32(),
      this.rng.u32(),
      this.rng.u32(),
      (Math.imul(n, 0x9e3779b1) ^ this.changeMask) >>> 0,
    );
  }

  /** Single changes run in the job's incremental cycle of the moment (40 minutes, as in Entra). */
  private cycleOf(sys: DemoSystem, t: number): string {
    const c = Math.floor(t / (40 * MIN));
    const i = sys.index;
    if (this.cycleNum[i] === c) return this.cycleIds[i]!;
    const h = hash3(this.seed, fnv(sys.id), c);
    const id = uuidFrom(h, mix32(h + 1), mix32(h + 2), mix32(h + 3));
    this.cycleNum[i] = c;
    this.cycleIds[i] = id;
    return id;
  }

  // --- people and objects -----------------------------------------------------------

  private person(idx: number): Person {
    const slot = idx & this.cacheMask;
    const hit = this.cache[slot];
    if (hit && hit.idx === idx) return hit;
    const p = this.makePerson(idx);
    this.cache[slot] = p;
    return p;
  }

  private randomPerson(): Person {
    // A third of the activity concerns a few busy people (managers, movers, contractors); the
    // busy set is capped so it stays in the person cache however large the history.
    const rng = this.rng;
    const n = this.peopleCount;
    if (rng.chance(0.003)) return this.person(rng.int(FIXED_COMBOS.length));
    return this.person(rng.chance(0.33) ? rng.int(this.busy) : rng.int(n));
  }

  private makePerson(idx: number): Person {
    const round = Math.floor(idx / COMBOS);
    let combo: number;
    if (idx < FIXED_COMBOS.length) combo = FIXED_COMBOS[idx]!;
    else {
      combo = this.comboAt(idx % COMBOS);
      // A generated person who drew a fixed person's name takes the name that person would have had.
      const j = round === 0 ? FIXED_COMBOS.indexOf(combo) : -1;
      if (j >= 0) combo = this.comboAt(j);
    }
    let ci = 0;
    while (ci + 1 < CULTURES.length && COMBO_STARTS[ci + 1]! <= combo) ci++;
    const cult = CULTURES[ci]!;
    const within = combo - COMBO_STARTS[ci]!;
    const first = cult.first[within % cult.first.length]!;
    const last = cult.last[Math.floor(within / cult.first.length)]!;
    const family = first.female && last.fd ? last.fd : last.d;
    const familyAscii = first.female && last.fa ? last.fa : last.a;
    const name =
      cult.order === 'w'
        ? `${first.d} ${family}`
        : cult.order === 'e'
          ? `${family} ${first.d}`
          : `${family}${first.d}`;
    const login = `${first.a}.${familyAscii}${round > 0 ? round + 1 : ''}`;
    const h = hash2(this.seed, idx);
    const dept = h % DEPARTMENTS.length;
    let assigned = 0;
    const apps: DemoSystem[] = [];
    for (let i = 0; i < APPS.length; i++) {
      const app = APPS[i]!;
      if (
        idx < FIXED_COMBOS.length ||
        hash3(this.seed, idx, 100 + i) / 4294967296 < app.assignedShare
      ) {
        assigned |= 1 << i;
        apps.push(app);
      }
    }
    let managerIdx =
      mix32(h) % Math.max(1, Math.min(this.peopleCount, 50 + Math.floor(this.peopleCount / 8)));
    if (managerIdx === idx) managerIdx = (idx + 1) % this.peopleCount;
    return {
      idx,
      hubId: uuidFrom(h, hash2(h, 1), hash2(h, 2), hash2(h, 3)),
      employeeId: `E${100000 + idx}`,
      login,
      mail: `${login}@${DOMAIN}`,
      name,
      given: first.d,
      family,
      dept,
      title: TITLE_TABLE[(mix32(h + 5) % SENIORITY.length) * TITLES.length + dept]!,
      office: cult.offices[mix32(h + 9) % cult.offices.length]!,
      managerIdx,
      assigned,
      apps,
      dn: undefined,
      hubRef: undefined,
      subjects: undefined,
      createMods: undefined,
      scimBody: undefined,
    };
  }

  private comboAt(q: number): number {
    return (Math.floor((q * this.step) % COMBOS) + this.comboOffset) % COMBOS;
  }

  private dnOf(p: Person): string {
    return (p.dn ??= `uid=${p.login},ou=People,${LDAP_BASE}`);
  }

  private isAssigned(p: Person, app: DemoSystem): boolean {
    return (p.assigned & (1 << appIndex(app))) !== 0;
  }

  /** A person's subject in a system, made once while the person is cached. */
  private userSubject(p: Person, sys: DemoSystem, type: ObjectType = 'user'): Subject {
    const i = sys.index + (type === 'account' ? DEMO_SYSTEMS.length : 0);
    const subjects = (p.subjects ??= new Array<Subject | undefined>(2 * DEMO_SYSTEMS.length));
    return (subjects[i] ??= this.makeUserSubject(p, sys, type));
  }

  private makeUserSubject(p: Person, sys: DemoSystem, type: ObjectType): Subject {
    const hub = (p.hubRef ??= frozen({ id: p.hubId, displayName: p.name, type: 'User' }));
    if (sys === WORKDAY) {
      const src = frozen({ id: p.employeeId, displayName: p.name, type: 'Worker' });
      return {
        type,
        person: p,
        name: p.name,
        key: p.employeeId,
        hubId: p.hubId,
        srcId: p.employeeId,
        srcType: 'Worker',
        tgtId: p.hubId,
        tgtType: 'User',
        srcRef: src,
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    if (sys === LDAP) {
      const dn = this.dnOf(p);
      const src = frozen({ id: dn, displayName: p.name, type: 'inetOrgPerson' });
      return {
        type,
        person: p,
        name: p.name,
        key: p.employeeId,
        hubId: p.hubId,
        srcId: dn,
        srcType: 'inetOrgPerson',
        tgtId: p.hubId,
        tgtType: 'User',
        srcRef: src,
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    const tgtId = targetIdFor(sys, hash3(this.seed, p.idx, 1000 + appIndex(sys)));
    const account = type === 'account';
    const tgt = frozen({
      id: tgtId,
      displayName: account ? p.login : p.name,
      type: account ? 'Account' : 'User',
    });
    return {
      type,
      person: p,
      name: p.name,
      key: account ? p.login : p.mail,
      hubId: p.hubId,
      srcId: p.hubId,
      srcType: 'User',
      tgtId,
      tgtType: tgt.type!,
      srcRef: hub,
      tgtRef: tgt,
      imp: undefined,
      match: undefined,
      url: undefined,
      okBody: undefined,
      okCreate: undefined,
    };
  }

  /** Groups and organizations are few: their subjects are made once per system and shared. */
  private namedSubject(type: ObjectType, x: Named, sys: DemoSystem): Subject {
    const key = sys.index * 8 + TYPE_INDEX[type];
    let bySys = this.namedCache.get(x);
    if (!bySys) this.namedCache.set(x, (bySys = []));
    return (bySys[key] ??= this.makeNamedSubject(type, x, sys));
  }

  private makeNamedSubject(type: ObjectType, x: Named, sys: DemoSystem): Subject {
    const word = TYPE_WORD[type];
    const hub = frozen({ id: x.id, displayName: x.name, type: word });
    if (sys.kind === 'identity_provider') {
      const srcId =
        type === 'organization'
          ? `ou=${x.name},ou=People,${LDAP_BASE}`
          : sys === LDAP
            ? `cn=${x.name},ou=Groups,${LDAP_BASE}`
            : x.name;
      const srcType =
        sys === LDAP ? (type === 'group' ? 'groupOfNames' : 'organizationalUnit') : 'Group';
      return {
        type,
        person: undefined,
        name: x.name,
        key: x.name,
        hubId: x.id,
        srcId,
        srcType,
        tgtId: x.id,
        tgtType: word,
        srcRef: frozen({ id: srcId, displayName: x.name, type: srcType }),
        tgtRef: hub,
        imp: undefined,
        match: undefined,
        url: undefined,
        okBody: undefined,
        okCreate: undefined,
      };
    }
    const tgtId = targetIdFor(sys, hash3(this.seed, fnv(x.name), fnv(sys.id)));
    return {
      type,
      person: undefined,
      name: x.name,
      key: x.name,
      hubId: x.id,
      srcId: x.id,
      srcType: word,
      tgtId,
      tgtType: word,
      srcRef: hub,
      tgtRef: frozen({ id: tgtId, displayName: x.name, type: word }),
      imp: undefined,
      match: undefined,
      url: undefined,
      okBody: undefined,
      okCreate: undefined,
    };
  }

  private admin(): Actor {
    return this.rng.pick(ADMINS);
  }

  private manager(p: Person): Actor {
    const m = this.person(p.managerIdx);
    return { type: 'user', id: m.mail, displayName: m.name };
  }

  // --- entries ----------------------------------------------------------------------

  /** Adds an entry (see `put`) and returns its operation id, for the entries that follow it. */
  private add(c: Ctx, t: number, e: EntryInput): string {
    this.put(c, t, e);
    return e.operationId!;
  }

  /** Adds an entry where it belongs: to its task (decided once the task ends) or to the log. */
  private put(c: Ctx, t: number, e: EntryInput, later = false): void {
    const run = c.run;
    if (run) {
      if (later) {
        run.later.push(e);
        run.laterTimes.push(t);
      } else {
        run.entries.push(e);
        run.times.push(t);
        if (t > run.maxT) run.maxT = t;
      }
      return;
    }
    this.due(t, e);
  }

  private entry(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    status: EntryStatus,
    o: EOpts,
  ): EntryInput {
    const outbound = c.direction === 'outbound';
    const knowsTarget = outbound
      ? !(action === 'create' && status !== 'success' && status !== 'committed')
      : action !== 'create' || status === 'success';
    // One literal for the fields every entry has (a single allocation), then the optional ones.
    const changeId = this.changeId();
    const e: EntryInput = {
      changeId,
      taskId: c.taskId,
      jobId: c.jobId,
      cycleId: c.cycleId,
      // An operation is named after its first attempt; later attempts and confirmations repeat it.
      operationId: o.op ?? changeId,
      time: this.iso(t),
      durationMs: duration(this.rng, outbound, status, o.kind),
      direction: c.direction,
      triggerModule: c.module,
      triggerModuleName: c.moduleName,
      triggerMethod: c.method,
      source: c.source,
      objectType: s.type,
      action,
      status,
      sourceIdentity: s.srcRef,
      targetIdentity: knowsTarget
        ? s.tgtRef
        : { displayName: s.tgtRef.displayName!, type: s.tgtRef.type! },
      sourceSystem: outbound ? DEMO_HUB : c.sys.ref,
      targetSystem: outbound ? c.sys.ref : DEMO_HUB,
      steps: this.steps(c, s, action, status, o),
    };
    if (o.skip) e.skipReason = o.skip;
    const code = o.code ?? o.kind?.code;
    if (code) {
      e.errorCode = code;
      e.errorCategory = lookupErrorCode(code)?.transient ? 'transient' : 'permanent';
    }
    if (o.reason) e.reason = o.reason;
    if (o.retryAt !== undefined) e.retryAt = this.iso(o.retryAt);
    if (o.attempt !== undefined) e.attempt = o.attempt;
    if (o.max !== undefined) e.maxAttempts = o.max;
    if (o.mods && (status !== 'skipped' || o.skip === 'needs_action'))
      e.modifiedProperties = o.mods;
    if (o.perm) e.permissionChanges = o.perm;
    if (
      outbound &&
      o.call !== false &&
      status !== 'skipped' &&
      action !== 'confirm' &&
      o.kind?.stage !== 'matching'
    ) {
      this.payload(e, c.sys, s, action, o);
    }
    if (c.actor) e.actor = c.actor;
    if (o.approver) e.approver = o.approver;
    return e;
  }

  /**
   * The four steps. Steps that read the same for every entry of a person, system and action are
   * made once and shared (frozen): at millions of entries, that is most of the log's memory.
   */
  private steps(c: Ctx, s: Subject, action: Action, status: EntryStatus, o: EOpts): Step[] {
    const sys = c.sys;
    const word = TYPE_WORD[s.type];
    const lower = TYPE_LOWER[s.type];
    const outbound = c.direction === 'outbound';
    if (action === 'confirm') {
      return [
        {
          name: 'provision',
          status: 'success',
          description: o.reason ?? `Confirmed by hand in ${sys.name}`,
        },
      ];
    }
    const fail = status === 'failure' ? o.reason : undefined;
    const si = sys.index;
    let importStep: Step;
    if (o.kind?.stage === 'import' && fail) {
      const details: Record<string, string | number | null> =
        sys === WORKDAY ? { fileName: c.file ?? null, row: o.row ?? 2 } : { dn: s.srcId };
      return [{ name: 'import', status: 'failure', description: fail, details }];
    }
    // No closures here: this runs once per entry, and tsx wraps every closure it creates.
    if (outbound) {
      importStep = s.imp ??= this.importStep(
        `Received ${word} '${s.name}' from provlog hub`,
        'id',
        s.hubId,
      );
    } else if (sys === WORKDAY) {
      importStep = {
        name: 'import',
        status: 'success',
        description: `Read row ${o.row ?? 2} of ${c.file ?? 'the CSV file'}`,
        details: { fileName: c.file ?? null, row: o.row ?? 2 },
      };
    } else {
      importStep = s.imp ??= this.importStep(`Read ${s.srcId} from ${sys.name}`, 'dn', s.srcId);
    }
    if (o.skip === 'out_of_scope') {
      const reason = o.reason ?? 'Out of scope';
      let scoped = this.stepCache.get(reason);
      if (!scoped)
        this.stepCache.set(
          reason,
          (scoped = frozen<Step>({ name: 'scoping', status: 'skipped', description: reason })),
        );
      return [importStep, scoped];
    }
    const ti = TYPE_INDEX[s.type];
    let scoping = this.stepById[si * 8 + ti];
    if (!scoping) {
      scoping = frozen<Step>({
        name: 'scoping',
        status: 'success',
        description: outbound
          ? `${word} is in scope: assigned to ${sys.name}`
          : `${word} is in scope of the ${sys.name} import`,
      });
      this.stepById[si * 8 + ti] = scoping;
    }
    const attr =
      s.type === 'user' || s.type === 'account'
        ? sys.matchOn
        : s.type === 'group'
          ? 'displayName'
          : 'name';
    const where = outbound ? sys.name : 'provlog hub';
    if (o.kind?.stage === 'matching' && fail) {
      return [
        importStep,
        scoping,
        {
          name: 'matching',
          status: 'failure',
          description: fail,
          details: { matchingAttribute: attr, sourceValue: s.key },
        },
      ];
    }
    const creates = action === 'create' && status !== 'skipped';
    const matchKey = 2000 + (si * 8 + ti) * 2 + (creates ? 1 : 0);
    const matchText = (this.texts[matchKey] ??= creates
      ? `No ${lower} in ${where} has the same ${attr}: it will be created`
      : `Matched ${lower} in ${where} on ${attr}`);
    const matching: Step = creates
      ? {
          name: 'matching',
          status: 'success',
          description: matchText,
          details: { matchingAttribute: attr, sourceValue: s.key },
        }
      : (s.match ??= frozen<Step>({
          name: 'matching',
          status: 'success',
          description: matchText,
          details: frozen({
            matchingAttribute: attr,
            sourceValue: s.key,
            targetId: outbound ? (s.tgtId ?? null) : s.hubId,
          }),
        }));
    let provision: Step;
    switch (status) {
      case 'success':
        provision =
          this.stepById[1000 + (si * 8 + ti) * 8 + ACTION_INDEX[action]] ??
          this.cacheStep(1000 + (si * 8 + ti) * 8 + ACTION_INDEX[action], {
            name: 'provision',
            status: 'success',
            description: `${PAST[action]} ${lower} in ${where}`,
          });
        break;
      case 'failure':
        provision = { name: 'provision', status: 'failure', description: fail ?? 'Failed' };
        break;
      case 'skipped':
        if (o.skip === 'no_change' && !o.reason) {
          provision =
            this.stepById[3200 + si * 8 + ti] ??
            this.cacheStep(3200 + si * 8 + ti, {
              name: 'provision',
              status: 'skipped',
              description: `No change needed: the ${lower} in ${where} already matches`,
            });
        } else if (o.skip === 'no_change' && o.reason) {
          let step = this.stepCache.get(o.reason);
          if (!step)
            this.stepCache.set(
              o.reason,
              (step = frozen<Step>({
                name: 'provision',
                status: 'skipped',
                description: o.reason,
              })),
            );
          provision = step;
        } else {
          provision = {
            name: 'provision',
            status: 'skipped',
            description: o.reason ?? 'Needs action',
          };
        }
        break;
      case 'pending':
        provision = o.reason
          ? { name: 'provision', status: 'pending', description: o.reason }
          : (this.stepById[3000 + si] ??
            this.cacheStep(3000 + si, {
              name: 'provision',
              status: 'pending',
              description: `Sent to ${sys.name}; waiting for its callback`,
            }));
        break;
      case 'committed':
        provision =
          this.stepById[3100 + si] ??
          this.cacheStep(3100 + si, {
            name: 'provision',
            status: 'success',
            description: `Committed in ${sys.name}; not verified yet`,
          });
        break;
      case 'not_verifiable':
        provision = {
          name: 'provision',
          status: 'pending',
          description: o.reason ?? `No confirmation from ${sys.name}`,
        };
        break;
    }
    return [importStep, scoping, matching, provision];
  }

  /**
   * `Date#toISOString` costs more than the rest of an entry; entries come roughly in time order,
   * so the date and hour are formatted once per hour and the rest is written digit by digit.
   */
  private iso(t: number): string {
    const hour = Math.floor(t / HOUR);
    if (hour !== this.isoHour) {
      this.isoHour = hour;
      const prefix = new Date(hour * HOUR).toISOString();
      for (let i = 0; i < 14; i++) this.isoPrefix[i] = prefix.charCodeAt(i);
    }
    const p = this.isoPrefix;
    const rem = t - hour * HOUR;
    const m = Math.floor(rem / MIN);
    const sec = Math.floor((rem - m * MIN) / 1000);
    const ms = rem - m * MIN - sec * 1000;
    return String.fromCharCode(
      p[0]!,
      p[1]!,
      p[2]!,
      p[3]!,
      p[4]!,
      p[5]!,
      p[6]!,
      p[7]!,
      p[8]!,
      p[9]!,
      p[10]!,
      p[11]!,
      p[12]!,
      p[13]!,
      48 + Math.floor(m / 10),
      48 + (m % 10),
      58,
      48 + Math.floor(sec / 10),
      48 + (sec % 10),
      46,
      48 + Math.floor(ms / 100),
      48 + (Math.floor(ms / 10) % 10),
      48 + (ms % 10),
      90,
    );
  }

  /** A fan-out sends the same change to several applications: they share one PATCH body. */
  private patchBody(mods: ModifiedProperty[] | undefined): unknown {
    if (mods !== this.lastMods || !this.lastPatch) {
      this.lastMods = mods;
      this.lastPatch = Object.freeze({ schemas: PATCH_SCHEMAS, Operations: patchOps(mods) });
    }
    return this.lastPatch;
  }

  private cacheStep(key: number, step: Step): Step {
    this.stepById[key] = frozen(step);
    return step;
  }

  private importStep(description: string, detail: string, value: string): Step {
    return frozen<Step>({
      name: 'import',
      status: 'success',
      description,
      details: frozen({ [detail]: value }),
    });
  }

  /** The request sent to the application and what came back, in that application's API. */
  private payload(e: EntryInput, app: DemoSystem, s: Subject, action: Action, o: EOpts): void {
    const kind = o.kind;
    const p = s.person;
    const ep = app.endpoint;
    const tgt = s.tgtId ?? '';
    let method = 'PATCH';
    let url: string;
    let body: unknown;
    let okStatus = 200;
    let okBody: unknown;
    if (app.api === 'scim') {
      url = '';
      if (action === 'create' && s.type === 'group') {
        method = 'POST';
        url = `${ep}/Groups`;
        body = { schemas: [SCIM_GROUP], displayName: s.name, externalId: s.hubId };
        okStatus = 201;
        okBody = {
          schemas: [SCIM_GROUP],
          id: tgt,
          displayName: s.name,
          meta: { resourceType: 'Group' },
        };
      } else if (action === 'create' && p) {
        method = 'POST';
        url = `${ep}/Users`;
        // The same person is created in several applications: one body, shared.
        body = p.scimBody ??= deepFreeze({
          schemas: USER_SCHEMAS,
          externalId: p.hubId,
          userName: p.mail,
          name: { givenName: p.given, familyName: p.family },
          displayName: p.name,
          emails: [{ value: p.mail, type: 'work', primary: true }],
          title: p.title,
          active: true,
          [SCIM_ENTERPRISE]: { employeeNumber: p.employeeId, department: DEPARTMENTS[p.dept] },
        });
        okStatus = 201;
        okBody = s.okCreate ??= deepFreeze({
          schemas: [SCIM_USER],
          id: tgt,
          userName: p.mail,
          active: true,
          meta: { resourceType: 'User', location: `${ep}/Users/${tgt}` },
        });
      } else if (action === 'delete') {
        method = 'DELETE';
        okStatus = 204;
      } else if (action === 'disable' || action === 'enable') {
        body = action === 'enable' ? SCIM_ENABLE : SCIM_DISABLE;
        okBody = { id: tgt, active: action === 'enable' };
      } else if (s.type === 'group') {
        body = {
          schemas: PATCH_SCHEMAS,
          Operations: [
            {
              op: 'add',
              path: 'members',
              value: [{ value: this.member ? this.userSubject(this.member, app).tgtId : tgt }],
            },
          ],
        };
        okStatus = 204;
      } else if (o.perm) {
        body = {
          schemas: PATCH_SCHEMAS,
          Operations: [
            ...o.perm.bound.map((r) => ({ op: 'add', path: 'roles', value: [{ value: r }] })),
            ...o.perm.unbound.map((r) => ({ op: 'remove', path: `roles[value eq "${r}"]` })),
          ],
        };
        okBody = { id: tgt, userName: s.key };
      } else {
        body = this.patchBody(o.mods);
        okBody = s.okBody ??= frozen({ id: tgt, userName: s.key, meta: USER_META });
      }
      if (!url) url = s.url ??= `${ep}/${s.type === 'group' ? 'Groups' : 'Users'}/${tgt}`;
    } else if (app.api === 'google') {
      const users = `${ep}/users`;
      url = `${users}/${tgt}`;
      method = 'PUT';
      if (s.type === 'group') {
        method = 'POST';
        url = `${ep}/groups/${encodeURIComponent(s.name)}/members`;
        body = { email: p?.mail ?? s.key, role: 'MEMBER' };
        okBody = { kind: 'admin#directory#member', id: tgt, role: 'MEMBER' };
      } else if (s.type === 'organization') {
        method = action === 'create' ? 'POST' : 'PATCH';
        url = `${ep}/customer/my_customer/orgunits${action === 'create' ? '' : `/People/${encodeURIComponent(s.name)}`}`;
        body = { name: s.name, parentOrgUnitPath: '/People' };
        okBody = {
          kind: 'admin#directory#orgUnit',
          orgUnitPath: `/People/${s.name}`,
          orgUnitId: `id:${tgt}`,
        };
      } else if (action === 'create' && p) {
        method = 'POST';
        url = users;
        body = {
          primaryEmail: p.mail,
          name: { givenName: p.given, familyName: p.family },
          orgUnitPath: `/People/${DEPARTMENTS[p.dept]}`,
          suspended: false,
        };
        okBody = { kind: 'admin#directory#user', id: tgt, primaryEmail: p.mail };
      } else if (action === 'delete') {
        method = 'DELETE';
        okStatus = 204;
      } else if (action === 'other') {
        body = { password: `Welcome-${hex8(this.rng.u32())}!`, changePasswordAtNextLogin: true };
        okBody = { kind: 'admin#directory#user', id: tgt };
      } else {
        body =
          action === 'disable' || action === 'enable'
            ? { suspended: action === 'disable' }
            : Object.fromEntries((o.mods ?? []).map((m) => [m.name, m.newValue ?? null]));
        okBody = { kind: 'admin#directory#user', id: tgt, primaryEmail: s.key };
      }
    } else {
      // Feishu's contact API answers at once and confirms by callback.
      const coll = s.type === 'organization' ? 'departments' : 'users';
      url = `${ep}/${coll}/${tgt}?user_id_type=open_id`;
      if (action === 'create') {
        method = 'POST';
        url = `${ep}/${coll}?user_id_type=open_id`;
        body =
          s.type === 'organization'
            ? { name: s.name, parent_department_id: '0' }
            : {
                name: s.name,
                email: p?.mail ?? s.key,
                employee_type: 1,
                department_ids: [`od-${hex8(fnv(DEPARTMENTS[p?.dept ?? 0] ?? ''))}`],
              };
      } else if (action === 'delete') {
        method = 'DELETE';
      } else {
        body =
          action === 'disable' || action === 'enable'
            ? { status: { is_frozen: action === 'disable' } }
            : Object.fromEntries((o.mods ?? []).map((m) => [m.name, m.newValue ?? null]));
      }
      okBody = {
        code: 0,
        msg: 'success',
        data:
          s.type === 'organization'
            ? { department: { open_department_id: tgt } }
            : { user: { open_id: tgt } },
      };
    }
    const request: NonNullable<EntryInput['request']> = {
      method,
      url,
      headers: app.api === 'scim' ? SCIM_HEADERS : JSON_HEADERS,
    };
    if (body !== undefined) request.body = body;
    e.request = request;
    if (kind && kind.code === 'Timeout') return;
    if (kind && kind.http > 0) {
      const response: NonNullable<EntryInput['response']> = {
        status: kind.http,
        body:
          app.api === 'scim'
            ? {
                schemas: ERROR_SCHEMAS,
                status: String(kind.http),
                ...(kind.scimType ? { scimType: kind.scimType } : {}),
                detail: o.reason ?? kind.code,
              }
            : { error: { code: kind.http, message: o.reason ?? kind.code } },
      };
      if (kind.code === 'TooManyRequests')
        response.headers = { 'Retry-After': String(o.retryAfter ?? 60) };
      e.response = response;
      return;
    }
    if (kind) {
      e.response = { status: 200, body: { code: 40003, msg: o.reason ?? kind.code } };
      return;
    }
    e.response =
      okBody === undefined
        ? okStatus === 204
          ? RESPONSE_204
          : { status: okStatus }
        : { status: okStatus, body: okBody };
  }

  // --- outcomes: success, failures, retries, confirmations --------------------------

  private pickFailure(
    sys: DemoSystem,
    action: Action,
    list: readonly FailKind[],
  ): FailKind | undefined {
    const key = `${sys.id}|${action}|${list === OUTBOUND_FAILURES ? 'o' : 'i'}`;
    let f = this.failCache.get(key);
    if (!f) {
      const kinds = list.filter(
        (k) =>
          (!k.actions || k.actions.includes(action)) && (!k.systems || k.systems.includes(sys.id)),
      );
      const weights = kinds.map((k) => k.weight);
      f = { kinds, weights, total: weights.reduce((a, b) => a + b, 0) };
      this.failCache.set(key, f);
    }
    return f.kinds.length === 0 ? undefined : this.rng.weighted(f.kinds, f.weights, f.total);
  }

  private reasonFor(kind: FailKind, c: Ctx, s: Subject, row: number, retryAfter: number): string {
    const p = s.person;
    const other =
      kind.code === 'CsvInvalidValue'
        ? `E${100000 + this.peopleCount + this.rng.int(900)}`
        : p
          ? this.dnOf(this.person(p.managerIdx)).replace('uid=', 'uid=former.')
          : '';
    return kind.reason({
      sys: c.sys,
      s,
      n: kind.code === 'TooManyRequests' ? retryAfter : row,
      other,
    });
  }

  /**
   * One change sent to an application: success, or a failure with what follows it (retries,
   * confirmation, a later re-trigger). Returns the time of the last entry it made.
   */
  private outbound(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    x: OutOpts,
  ): number {
    // The member a group change adds, for the payloads of every attempt of this change.
    this.member = x.member;
    const last = this.outboundOnce(c, t, s, action, mods, x);
    this.member = undefined;
    return last;
  }

  private outboundOnce(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    x: OutOpts,
  ): number {
    const rng = this.rng;
    const fails = x.code !== undefined || rng.chance(x.pFail);
    const kind = fails
      ? x.code
        ? OUTBOUND_FAILURES.find(
            (k) => k.code === x.code && (!k.actions || k.actions.includes(action)),
          )
        : this.pickFailure(c.sys, action, OUTBOUND_FAILURES)
      : undefined;
    if (!kind) {
      if (c.sys.callbacks) {
        const op = this.add(
          c,
          t,
          this.entry(c, t, s, action, 'pending', { mods, perm: x.perm, approver: x.approver }),
        );
        this.callback(c, t, s, action, op, x.follow === 'confirm');
      } else if (x.commit) {
        const op = this.add(
          c,
          t,
          this.entry(c, t, s, action, 'committed', {
            mods,
            perm: x.perm,
            approver: x.approver,
          }),
        );
        if (rng.chance(0.6)) {
          const v = t + rng.range(20 * MIN, 6 * HOUR);
          this.put(
            c,
            v,
            this.entry(c, v, s, action, 'success', {
              op,
              mods,
              perm: x.perm,
              approver: x.approver,
              call: false,
            }),
          );
        }
      } else {
        this.put(
          c,
          t,
          this.entry(c, t, s, action, 'success', { mods, perm: x.perm, approver: x.approver }),
        );
      }
      return t;
    }
    return this.failure(
      c,
      t,
      s,
      action,
      mods,
      kind,
      undefined,
      1,
      x.follow ?? 'auto',
      x.perm,
      x.approver,
    );
  }

  private failure(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    kind: FailKind,
    op: string | undefined,
    attempt: number,
    follow: Follow,
    perm?: { bound: string[]; unbound: string[] },
    approver?: Actor,
    row = 0,
  ): number {
    const rng = this.rng;
    if (kind.transient) {
      // Automatic retries: inside a task they come within minutes; single changes back off longer.
      const max = 5;
      let a = attempt;
      let time = t;
      for (;;) {
        const retryAfter = kind.code === 'TooManyRequests' ? rng.pick(RETRY_AFTER) : 0;
        const reason = this.reasonFor(kind, c, s, row, retryAfter);
        if (a >= max) {
          op = this.add(
            c,
            time,
            this.entry(c, time, s, action, 'failure', {
              op,
              kind,
              code: 'RetriesExhausted',
              reason: `Attempt ${a} of ${max} failed: ${reason}. provlog will not retry this change on its own.`,
              attempt: a,
              max,
              mods,
              perm,
              approver,
              retryAfter,
              row,
            }),
          );
          if (c.run) c.run.failed++;
          this.followUp(c, time, s, action, mods, op, a, 'RetriesExhausted', follow);
          return time;
        }
        const delay =
          retryAfter > 0
            ? retryAfter * 1000
            : c.run
              ? 30_000 * 2 ** (a - 1)
              : [MIN, 5 * MIN, 30 * MIN, 2 * HOUR][a - 1]!;
        const retryAt = time + delay;
        op = this.add(
          c,
          time,
          this.entry(c, time, s, action, 'failure', {
            op,
            kind,
            reason,
            retryAt,
            attempt: a,
            max,
            mods,
            perm,
            approver,
            retryAfter,
            row,
          }),
        );
        a++;
        time = retryAt + rng.int(3000);
        if (c.run === null && time > this.now) return time;
        if (rng.chance(0.75)) {
          if (c.sys.callbacks && c.direction === 'outbound') {
            this.put(
              c,
              time,
              this.entry(c, time, s, action, 'pending', {
                op,
                attempt: a,
                max,
                mods,
                perm,
                approver,
              }),
            );
            this.callback(c, time, s, action, op, false);
          } else {
            this.put(
              c,
              time,
              this.entry(c, time, s, action, 'success', {
                op,
                attempt: a,
                max,
                mods,
                perm,
                approver,
                row,
              }),
            );
          }
          return time;
        }
      }
    }
    const reason = this.reasonFor(kind, c, s, row, 0);
    op = this.add(
      c,
      t,
      this.entry(c, t, s, action, 'failure', {
        op,
        kind,
        reason,
        attempt,
        mods,
        perm,
        approver,
        row,
        call: kind.stage !== 'import',
      }),
    );
    if (c.run) c.run.failed++;
    this.followUp(c, t, s, action, mods, op, attempt, kind.code, follow, kind);
    return t;
  }

  /** What a person later does about a permanent failure: confirm it, fix and retry, or re-trigger the task. */
  private followUp(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    op: string,
    attempt: number,
    code: string,
    follow: Follow,
    kind?: FailKind,
  ): void {
    if (follow === 'none' || c.direction === 'inbound') return;
    const rng = this.rng;
    let what: Follow = follow;
    if (what === 'auto') {
      const r = rng.next();
      if (
        CONFIRMABLE.has(code) &&
        (action === 'delete' || action === 'disable' || code === 'NoCallback')
      )
        what = r < 0.65 ? 'confirm' : 'none';
      else if (FIXABLE.has(code)) {
        if (c.run && kind && r < 0.3) what = 'retrigger';
        else what = r < 0.65 ? 'retry' : r < 0.78 ? 'confirm' : 'none';
      } else what = r < 0.3 ? 'retry' : 'none';
    }
    const admin = this.admin();
    const base: Ctx = {
      ...c,
      taskId: null,
      cycleId: this.cycleOf(c.sys, t),
      method: 'manual',
      run: c.run,
      actor: admin,
    };
    if (what === 'retrigger' && c.run && kind) {
      c.run.retrigger.push({ c, s, action, op, attempt, kind });
    } else if (what === 'confirm') {
      const when = t + rng.range(20 * MIN, 30 * HOUR);
      const ctx: Ctx = { ...base, source: 'manual_operation' };
      const done =
        action === 'delete'
          ? 'deleted'
          : action === 'disable'
            ? 'disabled'
            : action === 'create'
              ? 'linked to the existing account'
              : 'changed';
      this.put(
        ctx,
        when,
        this.entry(ctx, when, s, 'confirm', 'success', {
          op,
          attempt: attempt + 1,
          reason: `Confirmed by ${admin.displayName}: ${TYPE_LOWER[s.type]} ${done} by hand in ${c.sys.name}`,
        }),
        true,
      );
    } else if (what === 'retry') {
      const when = t + rng.range(15 * MIN, 36 * HOUR);
      const ctx: Ctx = { ...base, source: 'retry_after_modification' };
      const ok = rng.chance(0.85);
      const again = ok ? undefined : this.pickFailure(c.sys, action, OUTBOUND_FAILURES);
      const fixed =
        code === 'MandatoryFieldsMissing' && s.person
          ? [{ name: 'mail', oldValue: null, newValue: s.person.mail }, ...(mods ?? [])]
          : mods;
      if (again && !again.transient) {
        this.put(
          ctx,
          when,
          this.entry(ctx, when, s, action, 'failure', {
            op,
            kind: again,
            reason: this.reasonFor(again, ctx, s, 0, 0),
            attempt: attempt + 1,
            mods: fixed,
          }),
          true,
        );
      } else {
        this.put(
          ctx,
          when,
          this.entry(ctx, when, s, action, 'success', { op, attempt: attempt + 1, mods: fixed }),
          true,
        );
      }
    }
  }

  /** Applications that confirm by callback: the pending entry is followed by the outcome. */
  private callback(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    op: string,
    noCallback: boolean,
  ): void {
    const rng = this.rng;
    const r = noCallback ? 0.95 : rng.next();
    if (r < 0.88) {
      const when = t + rng.range(2000, 90_000);
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'success', { op, call: false, reason: undefined }),
      );
    } else if (r < 0.96 || noCallback) {
      const when = t + 15 * MIN;
      const reason = `No callback from ${c.sys.name} within 15 minutes: provlog cannot tell whether the change was applied`;
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'not_verifiable', {
          op,
          code: 'NoCallback',
          reason,
          call: false,
        }),
      );
      this.followUp(
        { ...c },
        when,
        s,
        action,
        undefined,
        op,
        1,
        'NoCallback',
        noCallback ? 'confirm' : 'auto',
      );
    } else {
      const when = t + rng.range(5000, 120_000);
      const reason = this.reasonFor(CALLBACK_REJECTED, c, s, 0, 0);
      this.put(
        c,
        when,
        this.entry(c, when, s, action, 'failure', {
          op,
          kind: CALLBACK_REJECTED,
          reason,
          attempt: 1,
          call: false,
        }),
      );
      if (c.run) c.run.failed++;
      this.followUp(c, when, s, action, undefined, op, 1, 'CallbackRejected', 'auto');
    }
  }

  private skip(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    skip: SkipReason,
    reason: string | undefined,
    extra?: EOpts,
  ): void {
    this.put(c, t, this.entry(c, t, s, action, 'skipped', { skip, reason, ...extra }));
  }

  private userMods(p: Person, action: Action): ModifiedProperty[] {
    const rng = this.rng;
    if (action === 'create') {
      return (p.createMods ??= deepFreeze([
        { name: 'userName', newValue: p.mail },
        { name: 'displayName', newValue: p.name },
        { name: 'givenName', newValue: p.given },
        { name: 'surname', newValue: p.family },
        { name: 'mail', newValue: p.mail },
        { name: 'department', newValue: DEPARTMENTS[p.dept] },
        { name: 'jobTitle', newValue: p.title },
        { name: 'accountEnabled', newValue: 'True' },
      ]));
    }
    if (action === 'disable')
      return [{ name: 'accountEnabled', oldValue: 'True', newValue: 'False' }];
    if (action === 'enable')
      return [{ name: 'accountEnabled', oldValue: 'False', newValue: 'True' }];
    const out: ModifiedProperty[] = [];
    const n = rng.chance(0.6) ? 1 : rng.range(2, 3);
    for (let i = 0; i < n; i++) {
      switch (rng.int(6)) {
        case 0:
          out.push({
            name: 'department',
            oldValue: DEPARTMENTS[(p.dept + 1 + rng.int(4)) % DEPARTMENTS.length],
            newValue: DEPARTMENTS[p.dept],
          });
          break;
        case 1:
          out.push({
            name: 'jobTitle',
            oldValue: TITLES[p.dept],
            newValue: p.title === TITLES[p.dept] ? `Senior ${p.title}` : p.title,
          });
          break;
        case 2: {
          const m = this.person(p.managerIdx);
          out.push({
            name: 'manager',
            oldValue: this.person((p.managerIdx + 7) % this.peopleCount).mail,
            newValue: m.mail,
          });
          break;
        }
        case 3:
          out.push({
            name: 'officeLocation',
            oldValue: rng.chance(0.3) ? null : 'Remote',
            newValue: p.office,
          });
          break;
        case 4:
          out.push({
            name: 'mobilePhone',
            oldValue: null,
            newValue: `+1 555 01${String(p.idx % 100).padStart(2, '0')}`,
          });
          break;
        default:
          out.push({
            name: 'displayName',
            oldValue: `${p.given} ${p.family.slice(0, 1)}.`,
            newValue: p.name,
          });
      }
    }
    return out;
  }

  private memberMods(p: Person, add: boolean): ModifiedProperty[] {
    const v = `${p.name} (${p.hubId})`;
    return [
      add
        ? { name: 'members', newValue: `added: ${v}` }
        : { name: 'members', oldValue: `removed: ${v}` },
    ];
  }

  // --- tasks ------------------------------------------------------------------------

  private runTask(
    spec: TaskSpec,
    body: (c: Ctx, run: TaskRun) => void,
    finish?: (run: TaskRun) => Partial<TaskInput>,
  ): TaskRun | undefined {
    const rng = this.rng;
    if (spec.start > this.now) return undefined;
    const sys = spec.sys;
    const inbound = sys.kind === 'identity_provider';
    const task: TaskInput = {
      id: ulidAt(spec.start, rng),
      ...(spec.jobless ? {} : { jobId: sys.jobId }),
      cycleId: rng.uuid(),
      ...(spec.parentTaskId ? { parentTaskId: spec.parentTaskId } : {}),
      direction: inbound ? 'inbound' : 'outbound',
      triggerModule: spec.module ?? (inbound ? 'identity_provider' : 'application'),
      triggerModuleName: spec.moduleName ?? sys.name,
      triggerMethod: spec.method,
      source: spec.source,
      startedAt: new Date(spec.start).toISOString(),
      parameters: spec.parameters,
    };
    if (spec.event) task.event = spec.event;
    const count = Math.max(1, spec.count);
    const gap = Math.max(Math.min(250, (25 * MIN) / count), (spec.minDuration ?? 0) / count);
    const run: TaskRun = {
      task,
      entries: [],
      times: [],
      later: [],
      laterTimes: [],
      clock: spec.start + rng.range(300, 2000),
      gap,
      maxT: spec.start,
      failed: 0,
      processed: 0,
      retrigger: [],
    };
    const c: Ctx = {
      taskId: task.id,
      jobId: task.jobId ?? '',
      cycleId: task.cycleId!,
      direction: task.direction,
      module: task.triggerModule,
      moduleName: task.triggerModuleName,
      method: task.triggerMethod,
      source: spec.source,
      sys,
      actor: spec.method === 'manual' ? this.admin() : undefined,
      run,
      ...(typeof spec.parameters.fileName === 'string' ? { file: spec.parameters.fileName } : {}),
    };
    body(c, run);
    Object.assign(task, finish?.(run) ?? {});
    const end = Math.max(run.maxT, run.clock) + rng.range(200, 3000);
    const running = end > this.now;
    if (!running && task.status !== 'initial') task.endedAt = new Date(end).toISOString();
    this.pendingTasks.push({ t: spec.start, task });
    for (let i = 0; i < run.entries.length; i++) this.due(run.times[i]!, run.entries[i]!);
    for (let i = 0; i < run.later.length; i++) this.due(run.laterTimes[i]!, run.later[i]!);
    if (!running && run.retrigger.length > 0) this.retrigger(run, end);
    return run;
  }

  private tick(run: TaskRun): number {
    run.clock += Math.max(1, Math.round(run.gap * (0.4 + this.rng.next() * 1.2)));
    run.processed++;
    return run.clock;
  }

  /** An operator re-runs the failed part of a task a little later; the new task points to it. */
  private retrigger(parent: TaskRun, parentEnd: number): void {
    const rng = this.rng;
    const items = parent.retrigger;
    const first = items[0]!;
    this.runTask(
      {
        start: parentEnd + rng.range(10 * MIN, 2 * HOUR),
        sys: first.c.sys,
        method: 'manual',
        source: 're_trigger',
        parameters: {
          retriggeredFrom: parent.task.id,
          scope: 'failed_only',
          objects: items.length,
        },
        parentTaskId: parent.task.id,
        event: parent.task.event ?? 'account_provisioning',
        count: items.length,
      },
      (c, run) => {
        for (const it of items) {
          const t = this.tick(run);
          const stillFails = rng.chance(0.12);
          if (stillFails) {
            this.put(
              c,
              t,
              this.entry(c, t, it.s, it.action, 'failure', {
                op: it.op,
                kind: it.kind,
                reason: this.reasonFor(it.kind, c, it.s, 0, 0),
                attempt: it.attempt + 1,
              }),
            );
          } else {
            const mods =
              it.s.person && it.s.type === 'user'
                ? this.userMods(it.s.person, it.action)
                : undefined;
            this.put(
              c,
              t,
              this.entry(c, t, it.s, it.action, 'success', {
                op: it.op,
                attempt: it.attempt + 1,
                mods,
              }),
            );
          }
        }
      },
    );
  }

  private ldapImport(
    t: number,
    mode: 'full' | 'incremental',
    o: { manual?: boolean; bindFails?: boolean; staged?: number } = {},
  ): void {
    const rng = this.rng;
    const since = this.lastLdap || t - 4 * HOUR;
    this.lastLdap = t;
    const parameters: Record<string, unknown> = {
      mode,
      baseDn: `ou=People,${LDAP_BASE}`,
      filter:
        mode === 'full'
          ? '(objectClass=inetOrgPerson)'
          : `(&(objectClass=inetOrgPerson)(modifyTimestamp>=${ldapTime(since)}))`,
      pageSize: 500,
      deletionThreshold: 25,
    };
    const bindFails = o.bindFails ?? rng.chance(1 / 80);
    const spec: TaskSpec = {
      start: t,
      sys: LDAP,
      method: o.manual ? 'manual' : 'automatic',
      source: o.manual ? 'manual_operation' : 'scheduled_sync',
      parameters,
      event: bindFails ? 'sync_error' : 'account_synchronization',
      count: bindFails
        ? 1
        : Math.round(this.perLdap * (mode === 'full' ? 1.6 : 0.9) * (0.6 + rng.next() * 0.8)),
    };
    if (bindFails) {
      this.runTask(
        spec,
        () => {},
        () => ({
          errorCode: 'LdapBindFailed',
          reason: `Bind as cn=provlog-sync,ou=Service Accounts,${LDAP_BASE} was refused: invalid credentials (LDAP result 49); the service account's password has expired`,
        }),
      );
      return;
    }
    const staged = o.staged ?? (mode === 'full' && rng.chance(1 / 25) ? rng.range(26, 40) : 0);
    this.runTask(spec, (c, run) => {
      for (let i = 0; i < spec.count; i++) {
        const t1 = this.tick(run);
        const p = this.randomPerson();
        const r = rng.next();
        if (r < 0.07) {
          const g = rng.chance(0.75)
            ? this.groups[rng.int(this.groups.length)]!
            : this.orgs[rng.int(this.orgs.length)]!;
          const type: ObjectType = this.groups.includes(g) ? 'group' : 'organization';
          const s = this.namedSubject(type, g, LDAP);
          if (rng.chance(0.3)) this.skip(c, t1, s, 'update', 'no_change', undefined);
          else
            this.inbound(
              c,
              t1,
              s,
              type === 'group' && rng.chance(0.96)
                ? 'update'
                : rng.pick(['update', 'create'] as const),
              type === 'group'
                ? this.memberMods(p, rng.chance(0.7))
                : [{ name: 'description', oldValue: null, newValue: `${s.name} department` }],
              LDAP_FAILURES,
              0.01,
            );
          continue;
        }
        const s = this.userSubject(p, LDAP);
        if (r < 0.07 + (mode === 'full' ? 0.4 : 0.15))
          this.skip(c, t1, s, 'update', 'no_change', undefined);
        else if (r < 0.3 + (mode === 'full' ? 0.3 : 0)) {
          this.skip(c, t1, s, 'update', 'out_of_scope', rng.pick(LDAP_OUT_OF_SCOPE));
        } else {
          const action: Action = rng.weighted(LDAP_ACTIONS, LDAP_ACTION_WEIGHTS, 98);
          this.inbound(
            c,
            t1,
            s,
            action,
            action === 'delete' ? undefined : this.userMods(p, action),
            LDAP_FAILURES,
            0.035,
          );
        }
      }
      // Deletion protection: too many deletions in one cycle are held for an operator.
      for (let i = 0; i < staged; i++) {
        const t1 = this.tick(run);
        const p = this.randomPerson();
        const s = this.userSubject(p, LDAP);
        const op = this.add(
          c,
          t1,
          this.entry(c, t1, s, 'staged_delete', 'skipped', {
            skip: 'needs_action',
            code: 'DeletionThresholdExceeded',
            reason: `Held by deletion protection: this cycle would delete ${staged} users, more than the job's threshold of 25. Approve the deletions or fix the source.`,
          }),
        );
        const approved = run.clock + 2 * HOUR + rng.int(20 * MIN);
        const ctx: Ctx = {
          ...c,
          taskId: null,
          cycleId: this.cycleOf(LDAP, run.clock),
          method: 'manual',
          source: 'manual_operation',
          actor: ADMINS[0],
        };
        this.put(
          ctx,
          approved + i * 300,
          this.entry(ctx, approved + i * 300, s, 'delete', 'success', { op, reason: undefined }),
          true,
        );
      }
    });
  }

  /** One change read from an identity provider into the hub. */
  private inbound(
    c: Ctx,
    t: number,
    s: Subject,
    action: Action,
    mods: ModifiedProperty[] | undefined,
    list: readonly FailKind[],
    pFail: number,
    row = 0,
    code?: string,
  ): void {
    if (code !== undefined || this.rng.chance(pFail)) {
      const kind = code ? list.find((k) => k.code === code) : this.pickFailure(c.sys, action, list);
      if (kind) {
        this.failure(c, t, s, action, mods, kind, undefined, 1, 'none', undefined, undefined, row);
        return;
      }
    }
    this.put(c, t, this.entry(c, t, s, action, 'success', { mods, row, call: false }));
  }

  private workdayCsv(t: number, manual: boolean, unreadable: boolean): void {
    const rng = this.rng;
    const day = new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
    const fileName = manual ? `workers_corrections_${day}.csv` : `workers_${day}.csv`;
    const rows = manual ? rng.range(3, 40) : Math.round(this.perCsv * (0.6 + rng.next() * 0.8));
    const withErrors = !unreadable && rng.chance(manual ? 0.15 : 0.3);
    const parameters = {
      fileName,
      path: WORKDAY.endpoint,
      rows,
      delimiter: ',',
      encoding: 'UTF-8',
      hasHeader: true,
      ...(manual ? { uploadedBy: ADMINS[0]!.displayName } : {}),
    };
    const spec: TaskSpec = {
      start: t,
      sys: WORKDAY,
      method: manual ? 'manual' : 'automatic',
      source: manual ? 'manual_operation' : 'scheduled_sync',
      parameters,
      count: unreadable ? 1 : rows,
    };
    if (unreadable) {
      this.runTask(
        { ...spec, event: 'user_csv_failed' },
        () => {},
        () => ({
          errorCode: 'CsvUnreadable',
          reason: rng.chance(0.5)
            ? `'${fileName}' could not be read: it is a ZIP archive (an Excel workbook?), not a CSV file`
            : `'${fileName}' could not be read: the file is empty (0 bytes); the HR export probably failed`,
        }),
      );
      return;
    }
    const errorRows = withErrors ? Math.min(rows, rng.range(1, 8)) : 0;
    this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < rows; i++) {
          const t1 = this.tick(run);
          const p = this.randomPerson();
          const s = this.userSubject(p, WORKDAY);
          const row = i + 2;
          if (errorRows > 0 && rng.chance(errorRows / rows)) {
            this.inbound(
              c,
              t1,
              s,
              'update',
              undefined,
              CSV_FAILURES,
              1,
              row,
              rng.chance(0.1) ? 'DuplicateSourceEntries' : undefined,
            );
            continue;
          }
          const r = rng.next();
          if (r < 0.33) this.skip(c, t1, s, 'update', 'no_change', undefined, { row });
          else if (r < 0.39) {
            this.skip(c, t1, s, 'create', 'out_of_scope', rng.pick(CSV_OUT_OF_SCOPE), { row });
          } else {
            const action: Action = rng.weighted(CSV_ACTIONS, CSV_ACTION_WEIGHTS, 97);
            this.inbound(c, t1, s, action, this.userMods(p, action), CSV_FAILURES, 0, row);
          }
        }
      },
      (run) => ({
        event: run.failed > 0 ? 'user_csv_processed_with_errors' : 'user_csv_processed',
      }),
    );
  }

  private groupCsv(t: number, fails = this.rng.chance(1 / 8)): void {
    const rng = this.rng;
    const fileName = `groups_${new Date(t).toISOString().slice(0, 10).replaceAll('-', '')}.csv`;
    const rows = Math.round(this.perGroupCsv * (0.6 + rng.next() * 0.8));
    const spec: TaskSpec = {
      start: t,
      sys: WORKDAY,
      method: 'automatic',
      source: 'scheduled_sync',
      parameters: {
        fileName,
        path: WORKDAY.endpoint,
        rows,
        delimiter: ',',
        encoding: 'UTF-8',
        hasHeader: true,
        objectType: 'group',
      },
      count: fails ? 1 : rows,
    };
    if (fails) {
      this.runTask(
        { ...spec, event: 'group_csv_failed' },
        () => {},
        () => ({
          errorCode: 'CsvMissingHeader',
          reason: `Required column 'group_name' is missing from the header of '${fileName}'`,
        }),
      );
      return;
    }
    this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < rows; i++) {
          const t1 = this.tick(run);
          const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, WORKDAY);
          const r = rng.next();
          if (r < 0.3) this.skip(c, t1, s, 'update', 'no_change', undefined, { row: i + 2 });
          else if (r < 0.34) {
            this.inbound(c, t1, s, 'update', undefined, CSV_FAILURES, 1, i + 2, 'CsvInvalidValue');
          } else {
            this.inbound(
              c,
              t1,
              s,
              r < 0.4 ? 'create' : 'update',
              this.memberMods(this.randomPerson(), rng.chance(0.75)),
              CSV_FAILURES,
              0,
              i + 2,
            );
          }
        }
      },
      (run) => ({
        event: run.failed > 0 ? 'groups_csv_processed_with_errors' : 'groups_csv_processed',
      }),
    );
  }

  private fullSync(
    app: DemoSystem,
    t: number,
    o: {
      mode: 'full' | 'initial';
      count?: number;
      manual?: boolean;
      parentTaskId?: string;
      orphanAt?: number;
      initial?: boolean;
      forceFailures?: number;
      minDuration?: number;
    },
  ): TaskRun | undefined {
    const rng = this.rng;
    const count = o.count ?? Math.round(this.perFullSync * (0.6 + rng.next() * 0.8));
    const spec: TaskSpec = {
      start: t,
      sys: app,
      method: o.manual ? 'manual' : 'automatic',
      source: o.parentTaskId ? 're_trigger' : o.manual ? 'manual_operation' : 'scheduled_sync',
      parameters: {
        mode: o.mode,
        objectTypes: app.objectTypes.filter((x) => x === 'user' || x === 'group'),
        scope: 'users and groups assigned to the application',
        dryRun: false,
        ...(o.parentTaskId ? { retriggeredFrom: o.parentTaskId } : {}),
      },
      event: 'account_provisioning',
      count: o.initial ? 0 : count,
      ...(o.parentTaskId ? { parentTaskId: o.parentTaskId } : {}),
      ...(o.minDuration ? { minDuration: o.minDuration } : {}),
    };
    if (o.initial) {
      return this.runTask(
        spec,
        () => {},
        () => ({
          status: 'initial',
          reason:
            'the worker that picked it up was shut down during a deployment before the task started',
        }),
      );
    }
    const n = o.orphanAt ?? count;
    let forced = o.forceFailures ?? 0;
    return this.runTask(
      spec,
      (c, run) => {
        for (let i = 0; i < n; i++) {
          const t1 = this.tick(run);
          if (app.objectTypes.includes('group') && rng.chance(0.04)) {
            const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, app);
            if (rng.chance(0.6)) this.skip(c, t1, s, 'update', 'no_change', undefined);
            else {
              const member = this.randomPerson();
              this.outbound(c, t1, s, 'update', this.memberMods(member, rng.chance(0.7)), {
                pFail: 0.03,
                member,
              });
            }
            continue;
          }
          const p = this.randomPerson();
          const s = this.userSubject(p, app);
          if (forced > 0 && i % 3 === 1) {
            forced--;
            this.outbound(c, t1, s, 'create', this.userMods(p, 'create'), {
              pFail: 1,
              code: rng.pick(['EntryConflict', 'MandatoryFieldsMissing'] as const),
              follow: 'retrigger',
            });
            continue;
          }
          const assigned = this.isAssigned(p, app);
          const r = rng.next();
          if (!assigned) {
            if (r < 0.9)
              this.skip(
                c,
                t1,
                s,
                'update',
                'out_of_scope',
                'User is not assigned to the application',
              );
            else
              this.outbound(
                c,
                t1,
                s,
                app.deleteOnLeave ? 'delete' : 'disable',
                app.deleteOnLeave ? undefined : this.userMods(p, 'disable'),
                { pFail: 0.06 },
              );
          } else if (o.mode === 'initial') {
            if (r < 0.85)
              this.outbound(c, t1, s, 'create', this.userMods(p, 'create'), { pFail: 0.06 });
            else if (r < 0.97)
              this.outbound(c, t1, s, 'update', this.userMods(p, 'update'), { pFail: 0.03 });
            else this.skip(c, t1, s, 'update', 'no_change', undefined);
          } else if (r < 0.68) this.skip(c, t1, s, 'update', 'no_change', undefined);
          else if (r < 0.685) {
            this.skip(
              c,
              t1,
              s,
              'update',
              'needs_action',
              `An account for '${p.mail}' exists in ${app.name} but is linked to another person in provlog; link it by hand or let provlog create a new one`,
            );
          } else {
            const action: Action = rng.weighted(CSV_ACTIONS, SYNC_ACTION_WEIGHTS, 100);
            this.outbound(c, t1, s, action, this.userMods(p, action), { pFail: 0.045 });
          }
        }
      },
      o.orphanAt !== undefined
        ? (run) => {
            run.clock += 3 * MIN;
            return {
              errorCode: 'TaskOrphaned',
              reason: `provlog restarted while this task was running; ${n} of ${count} objects were processed. Re-trigger it to process the rest.`,
            };
          }
        : undefined,
    );
  }

  /** An administrator pushes one person to the applications they use ("account" trigger module). */
  private accountSync(t: number, p = this.randomPerson()): void {
    const rng = this.rng;
    const apps = p.apps.slice(0, rng.range(1, 3));
    if (apps.length === 0) return;
    this.runTask(
      {
        start: t,
        sys: apps[0]!,
        module: 'account',
        moduleName: p.name,
        method: 'manual',
        source: 'manual_operation',
        jobless: true,
        parameters: {
          account: p.mail,
          applications: apps.map((a) => a.name),
          objectTypes: ['user'],
        },
        event: 'account_provisioning',
        count: apps.length,
      },
      (c, run) => {
        for (const app of apps) {
          const t1 = this.tick(run) + rng.int(800);
          const ac: Ctx = { ...c, sys: app, jobId: app.jobId };
          const s = this.userSubject(p, app);
          if (rng.chance(0.4)) this.skip(ac, t1, s, 'update', 'no_change', undefined);
          else
            this.outbound(ac, t1, s, 'update', this.userMods(p, 'update'), {
              pFail: 0.04,
              follow: 'none',
            });
        }
      },
    );
  }

  // --- single changes ---------------------------------------------------------------

  private singleCtx(
    app: DemoSystem,
    t: number,
    source: Source = 'single_change',
    method: TriggerMethod = 'automatic',
    actor?: Actor,
  ): Ctx {
    if (source === 'single_change' && method === 'automatic' && !actor) {
      // Most entries are single changes: one context per application and cycle is enough.
      const cycleId = this.cycleOf(app, t);
      const cached = this.ctxCache[app.index];
      if (cached && cached.cycleId === cycleId) return cached;
      return (this.ctxCache[app.index] = {
        taskId: null,
        jobId: app.jobId,
        cycleId,
        direction: app.direction,
        module: app.kind === 'application' ? 'application' : 'identity_provider',
        moduleName: app.name,
        method,
        source,
        sys: app,
        actor,
        run: null,
      });
    }
    return {
      taskId: null,
      jobId: app.jobId,
      cycleId: this.cycleOf(app, t),
      direction: app.direction,
      module: app.kind === 'application' ? 'application' : 'identity_provider',
      moduleName: app.name,
      method,
      source,
      sys: app,
      actor,
      run: null,
    };
  }

  /** The time of the next entry of a fan-out: each application's queue takes its own moment. */
  private bump(): number {
    return (this.clock += this.rng.range(150, 4000));
  }

  /** A change in the hub (a hire, a move, a leaver…) fans out to the applications the person uses. */
  private outboundEvent(
    t: number,
    p = this.randomPerson(),
    forced?: string,
    code?: string,
    follow?: Follow,
  ): void {
    const rng = this.rng;
    const kind = forced ?? rng.weighted(EVENTS, EVENT_WEIGHTS, 100);
    let apps = p.apps;
    const time = t;
    this.clock = t;
    switch (kind) {
      case 'attr': {
        const mods = this.userMods(p, 'update');
        apps = shuffleFirst(rng, apps, rng.range(1, 3));
        for (const app of apps) {
          const s = this.userSubject(p, app);
          const c = this.singleCtx(app, time);
          if (!code && rng.chance(0.15))
            this.skip(
              c,
              this.bump(),
              s,
              'update',
              'no_change',
              `None of the changed attributes is mapped to ${app.name}`,
            );
          else this.outbound(c, this.bump(), s, 'update', mods, { pFail: 0.045, code, follow });
        }
        if (!code && rng.chance(0.08)) {
          const other = APPS[p.apps.length < APPS.length ? firstUnassigned(p) : -1];
          if (other)
            this.skip(
              this.singleCtx(other, time),
              this.bump(),
              this.userSubject(p, other),
              'update',
              'out_of_scope',
              'User is not assigned to the application',
            );
        }
        return;
      }
      case 'hire':
      case 'rehire': {
        const action: Action = kind === 'hire' ? 'create' : 'enable';
        for (const app of shuffleFirst(rng, apps, kind === 'hire' ? 5 : 3)) {
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.userSubject(p, app),
            action,
            this.userMods(p, action),
            { pFail: 0.07, code, follow },
          );
        }
        return;
      }
      case 'leave':
        for (const app of shuffleFirst(rng, apps, 5)) {
          const action: Action = app.deleteOnLeave ? 'delete' : 'disable';
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.userSubject(p, app),
            action,
            action === 'disable' ? this.userMods(p, 'disable') : undefined,
            { pFail: 0.07, code, follow },
          );
        }
        return;
      case 'group': {
        const g = this.groups[rng.int(this.groups.length)]!;
        const add = rng.chance(0.7);
        for (const app of shuffleFirst(rng, GROUP_APPS, rng.range(1, 2))) {
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.namedSubject('group', g, app),
            'update',
            this.memberMods(p, add),
            { pFail: 0.03, code, follow, member: p },
          );
        }
        return;
      }
      case 'password': {
        const c = this.singleCtx(GOOGLE, time);
        this.outbound(
          c,
          this.bump(),
          this.userSubject(p, GOOGLE),
          'other',
          [{ name: 'password', oldValue: null, newValue: '********' }],
          { pFail: 0.02, code, follow },
        );
        return;
      }
      case 'role': {
        const app = rng.pick(ROLE_APPS);
        const role = rng.pick(ROLES[app.id]!);
        const r: Named = {
          name: role,
          id: uuidFrom(fnv(role), hash2(this.seed, fnv(role)), 3, fnv(app.id)),
        };
        this.outbound(
          this.singleCtx(app, time),
          this.bump(),
          this.namedSubject('role', r, app),
          rng.chance(0.9) ? 'update' : 'create',
          [
            {
              name: 'assignedTo',
              ...(rng.chance(0.8)
                ? { newValue: `added: ${p.name}` }
                : { oldValue: `removed: ${p.name}` }),
            },
          ],
          { pFail: 0.03, code, follow },
        );
        return;
      }
      default: {
        const org = this.orgs[p.dept]!;
        for (const app of ORG_APPS) {
          const create = rng.chance(0.2);
          this.outbound(
            this.singleCtx(app, time),
            this.bump(),
            this.namedSubject('organization', org, app),
            create ? 'create' : 'update',
            [
              {
                name: 'manager',
                oldValue: create ? null : this.person(p.managerIdx).mail,
                newValue: p.mail,
              },
            ],
            { pFail: 0.03, code, follow },
          );
        }
      }
    }
  }

  /** A change notification from the directory (LDAP persistent search): log entries only, no task. */
  private inboundChange(t: number): void {
    const rng = this.rng;
    const p = this.randomPerson();
    const c = this.singleCtx(LDAP, t);
    if (rng.chance(0.12)) {
      const s = this.namedSubject('group', this.groups[rng.int(this.groups.length)]!, LDAP);
      this.inbound(c, t, s, 'update', this.memberMods(p, rng.chance(0.7)), LDAP_FAILURES, 0.02);
      return;
    }
    const s = this.userSubject(p, LDAP);
    const action: Action = rng.weighted(CHANGE_ACTIONS, CHANGE_ACTION_WEIGHTS, 100);
    this.inbound(c, t, s, action, this.userMods(p, action), LDAP_FAILURES, 0.025);
  }

  /** Account operations of the IAM kind: access requests, policies, reviews, expiries. */
  private iamEvent(
    t: number,
    forced?: Source,
    o: { p?: Person; app?: DemoSystem; code?: string; follow?: Follow; pending?: boolean } = {},
  ): void {
    const rng = this.rng;
    const source = forced ?? rng.weighted(IAM_SOURCES, IAM_WEIGHTS, IAM_TOTAL);
    const p = o.p ?? this.randomPerson();
    const app = o.app ?? rng.pick(ACCOUNT_APPS);
    const roles = ROLES[app.id] ?? ['Member'];
    const role = roles[rng.int(roles.length)]!;
    const other = roles[(roles.indexOf(role) + 1) % roles.length]!;
    let action: Action = 'update';
    let perm: { bound: string[]; unbound: string[] } | undefined;
    let actor: Actor | undefined;
    let approver: Actor | undefined;
    let method: TriggerMethod = 'automatic';
    switch (source) {
      case 'access_request':
        action = rng.chance(0.4) ? 'create' : 'update';
        perm = { bound: [role], unbound: [] };
        approver = this.manager(p);
        break;
      case 'provisioning_policy':
      case 'app_account_policy':
        action = rng.chance(0.7) ? 'create' : 'update';
        perm = { bound: [role], unbound: [] };
        break;
      case 'permission_change':
        perm = { bound: [role], unbound: rng.chance(0.5) ? [other] : [] };
        break;
      case 'self_service_deprovisioning':
        method = 'manual';
        actor = { type: 'user', id: p.mail, displayName: p.name };
        if (rng.chance(0.3)) action = 'delete';
        else perm = { bound: [], unbound: [role] };
        break;
      case 'global_policy':
        action = rng.chance(0.6) ? 'disable' : 'delete';
        break;
      case 'compliance_review':
        if (rng.chance(0.3)) action = 'disable';
        else perm = { bound: [], unbound: [role] };
        actor = this.admin();
        break;
      case 'permission_expiry':
        perm = { bound: [], unbound: [role] };
        break;
      default:
        actor = API_TOKEN;
        perm = { bound: [role], unbound: [] };
    }
    const c = this.singleCtx(app, t, source, method, actor);
    const s = this.userSubject(p, app, 'account');
    const mods =
      action === 'create'
        ? [
            { name: 'accountName', newValue: p.login },
            { name: 'displayName', newValue: p.name },
          ]
        : action === 'disable'
          ? this.userMods(p, 'disable')
          : undefined;
    if (o.pending || (source === 'access_request' && rng.chance(0.06))) {
      // IdentityNow's "pending": waiting for the approver to act before anything is sent.
      const op = this.add(
        c,
        t,
        this.entry(c, t, s, action, 'pending', {
          perm,
          approver,
          call: false,
          reason: `Waiting for approval by ${approver?.displayName ?? 'the application owner'}`,
        }),
      );
      const when = t + rng.range(HOUR, 30 * HOUR);
      if (rng.chance(0.6))
        this.put(c, when, this.entry(c, when, s, action, 'success', { op, perm, approver, mods }));
      return;
    }
    const deletesByHand = action === 'delete' && !o.code && rng.chance(0.25);
    this.outbound(c, t, s, action, mods, {
      pFail: 0.04,
      perm,
      approver,
      commit: app.connector === 'external' && rng.chance(0.35),
      code:
        o.code ??
        (deletesByHand
          ? app.id === 'github-enterprise' || app.id === 'atlassian-cloud'
            ? 'MethodNotAllowed'
            : 'NotPermitted'
          : undefined),
      follow: o.follow ?? (deletesByHand ? 'confirm' : 'auto'),
    });
  }

  // --- what every demo shows, whatever the seed and size -----------------------------

  private planScripted(): void {
    const at = (f: number) => this.start + Math.floor(this.span * f);
    const near = (ms: number) => Math.max(this.start, this.now - ms);
    const add = (t: number, run: () => void) => this.scripted.push({ t, run });
    const fixed = (i: number) => this.person(i);
    add(at(0.05), () =>
      this.fullSync(ZOOM, at(0.05), {
        mode: 'initial',
        manual: true,
        // Bounded: a task's entries are held until they are due, so no task may be huge.
        count: Math.max(40, Math.min(50_000, Math.round(this.target * 0.04))),
      }),
    );
    add(at(0.12), () => this.workdayCsv(at(0.12), true, true));
    add(at(0.18), () =>
      this.ldapImport(at(0.18), 'incremental', { manual: true, bindFails: true }),
    );
    add(at(0.22), () => this.groupCsv(at(0.22), true));
    add(at(0.3), () => {
      const orphan = this.fullSync(SERVICENOW, at(0.3), { mode: 'full', count: 60, orphanAt: 20 });
      if (orphan)
        this.fullSync(SERVICENOW, at(0.3) + 40 * MIN, {
          mode: 'full',
          manual: true,
          count: 40,
          parentTaskId: orphan.task.id,
        });
    });
    add(at(0.45), () => {
      const initial = this.fullSync(SALESFORCE, at(0.45), {
        mode: 'full',
        manual: true,
        initial: true,
      });
      if (initial)
        this.fullSync(SALESFORCE, at(0.45) + 25 * MIN, {
          mode: 'full',
          manual: true,
          count: 30,
          parentTaskId: initial.task.id,
        });
    });
    add(at(0.5), () => this.ldapImport(at(0.5), 'full', { manual: true, staged: 30 }));
    add(at(0.55), () => {
      this.outboundEvent(at(0.55), fixed(0), 'hire', 'EntryConflict', 'confirm');
      this.outboundEvent(at(0.55) + 5 * MIN, fixed(1), 'leave', 'MethodNotAllowed', 'confirm');
      this.iamEvent(at(0.55) + 9 * MIN, 'global_policy', {
        p: fixed(3),
        app: FEISHU,
        code: 'NotPermitted',
        follow: 'confirm',
      });
      this.outboundEvent(at(0.55) + 15 * MIN, fixed(2), 'attr', 'MandatoryFieldsMissing', 'retry');
    });
    add(at(0.6), () => this.outboundEvent(at(0.6), fixed(4), 'attr', 'TooManyRequests', 'auto'));
    add(at(0.65), () =>
      this.fullSync(ATLASSIAN, at(0.65), {
        mode: 'full',
        manual: true,
        count: 24,
        forceFailures: 4,
      }),
    );
    add(at(0.7), () => {
      this.iamEvent(at(0.7), 'access_request', { p: fixed(1), app: FEISHU });
      this.iamEvent(at(0.7) + 2 * MIN, 'app_account_policy', { p: fixed(2), app: GOOGLE });
      this.outboundEvent(at(0.7) + 4 * MIN, fixed(3), 'password');
      this.outboundEvent(at(0.7) + 6 * MIN, fixed(0), 'rehire');
      this.outboundEvent(at(0.7) + 8 * MIN, fixed(4), 'org');
      this.outboundEvent(at(0.7) + 10 * MIN, fixed(1), 'role');
      const c = this.singleCtx(FEISHU, at(0.7) + 12 * MIN);
      const s = this.userSubject(fixed(3), FEISHU);
      const op = this.add(
        c,
        at(0.7) + 12 * MIN,
        this.entry(c, at(0.7) + 12 * MIN, s, 'update', 'pending', {
          mods: this.userMods(fixed(3), 'update'),
        }),
      );
      this.callback(c, at(0.7) + 12 * MIN, s, 'update', op, true);
    });
    for (let i = 0; i < FIXED_COMBOS.length; i++) {
      for (let k = 0; k < 4; k++)
        add(at(0.1 + 0.2 * k + i * 0.01), () =>
          this.outboundEvent(at(0.1 + 0.2 * k + i * 0.01), fixed(i)),
        );
    }
    // The last minutes: a sync still running, a failure still retrying, a callback still awaited.
    add(near(4.5 * MIN), () =>
      this.fullSync(GITHUB, near(4.5 * MIN), {
        mode: 'full',
        count: Math.max(30, Math.round(this.perFullSync / 2)),
        minDuration: 9 * MIN,
      }),
    );
    add(near(3 * MIN), () =>
      this.iamEvent(near(3 * MIN), 'access_request', {
        p: fixed(0),
        app: SALESFORCE,
        pending: true,
      }),
    );
    add(near(25_000), () => {
      const c = this.singleCtx(SLACK, near(25_000));
      this.outbound(
        c,
        near(25_000),
        this.userSubject(fixed(2), SLACK),
        'update',
        this.userMods(fixed(2), 'update'),
        { pFail: 1, code: 'TooManyRequests' },
      );
    });
    add(near(8000), () => this.outboundEvent(near(8000), fixed(3), 'attr', undefined, undefined));
    this.scripted.sort((a, b) => a.t - b.t);
  }
}

const EVENTS = ['attr', 'hire', 'leave', 'group', 'password', 'rehire', 'role', 'org'] as const;
const EVENT_WEIGHTS = [62, 7, 5, 12, 4, 2, 6, 2];
const LDAP_ACTIONS = ['update', 'create', 'disable', 'enable', 'delete'] as const;
const LDAP_ACTION_WEIGHTS = [80, 9, 6, 2, 1];
const CSV_ACTIONS = ['update', 'create', 'disable', 'enable'] as const;
const CSV_ACTION_WEIGHTS = [70, 17, 8, 2];
const SYNC_ACTION_WEIGHTS = [75, 14, 8, 3];
const CHANGE_ACTIONS = ['update', 'disable', 'enable'] as const;
const CHANGE_ACTION_WEIGHTS = [90, 7, 3];
const RETRY_AFTER = [30, 60, 60, 120];
const LDAP_OUT_OF_SCOPE = [
  `Entry is under ou=Service Accounts, outside the import's base DN`,
  `objectClass 'computer' is not imported`,
  `Account is in ou=Disabled; the scoping filter excludes it`,
];
const CSV_OUT_OF_SCOPE = [
  `Worker type 'Contingent Worker' is not in scope of this import`,
  `Worker has a future hire date; they are imported on their first day`,
];

const IAM_SOURCES: readonly Source[] = [
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
const IAM_WEIGHTS = [30, 18, 15, 7, 6, 8, 6, 6, 4];
const IAM_TOTAL = IAM_WEIGHTS.reduce((a, b) => a + b, 0);

function firstUnassigned(p: Person): number {
  for (let i = 0; i < APPS.length; i++) if ((p.assigned & (1 << i)) === 0) return i;
  return -1;
}

function patchOps(mods: ModifiedProperty[] | undefined): unknown[] {
  const out: unknown[] = [];
  if (mods)
    for (const m of mods) out.push({ op: 'replace', path: m.name, value: m.newValue ?? null });
  return out;
}

function duration(
  rng: Prng,
  outbound: boolean,
  status: EntryStatus,
  kind: FailKind | undefined,
): number {
  if (kind?.code === 'Timeout') return 30_000 + rng.int(400);
  if (status === 'skipped') return 2 + rng.int(40);
  if (!outbound) return 5 + rng.int(80);
  return 80 + rng.int(rng.chance(0.1) ? 4000 : 900);
}

/** How busy an hour is: office hours on weekdays, little at night and on weekends. */
function activity(t: number): number {
  const h = new Date(t).getUTCHours();
  const base = h >= 7 && h < 18 ? 3 : h >= 5 && h < 21 ? 1.2 : 0.3;
  return weekday(t) ? base : base * 0.25;
}

function weekday(t: number): boolean {
  const dow = new Date(t).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The first time at or after `from` that is `offset` past a multiple of `period` since the epoch. */
function firstAt(period: number, offset: number, from: number): number {
  return Math.ceil((from - offset) / period) * period + offset;
}

function ldapTime(t: number): string {
  return `${new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function coprimeStep(n: number, h: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let s = (h % (n - 1)) + 1;
  while (gcd(s, n) !== 1) s++;
  return s;
}

/** The first `k` of `items` in a random order (a partial Fisher–Yates on a copy). */
function shuffleFirst<T>(rng: Prng, items: readonly T[], k: number): T[] {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    const x = a[i]!;
    a[i] = a[j]!;
    a[j] = x;
  }
  return a.slice(0, n);
}

/** Yields batches (up to 5,000 entries each) in time order; memory stays flat for 10M entries. */
export function* generateDemoHistory(opts: DemoOptions): Generator<DemoBatch> {
  yield* new DemoRun(opts).run();
}
