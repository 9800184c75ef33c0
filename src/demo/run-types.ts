import type { Actor, EntryInput, ModifiedProperty } from '../model/entry.ts';
import type {
  Action,
  Direction,
  SkipReason,
  Source,
  TriggerMethod,
  TriggerModule,
} from '../model/enums.ts';
import type { TaskInput } from '../model/task.ts';
import type { DemoSystem } from './demo-systems.ts';
import type { FailKind, Subject } from './failure-catalog.ts';
import type { Person } from './people.ts';

/** What produced an entry: a task or a single change, and who or what triggered it. */
export interface Ctx {
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

export interface TaskRun {
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

export interface EOpts {
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

export type Follow = 'auto' | 'none' | 'confirm' | 'retry' | 'retrigger';

export interface OutOpts {
  pFail: number;
  member?: Person;
  code?: string | undefined;
  follow?: Follow;
  perm?: { bound: string[]; unbound: string[] } | undefined;
  approver?: Actor | undefined;
  commit?: boolean;
}

export interface TaskSpec {
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
