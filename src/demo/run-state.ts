import type { EntryInput, ModifiedProperty, Step } from '../model/entry.ts';
import type { TaskInput } from '../model/task.ts';
import { DAY, HOUR, MIN, WEEK, activity, firstAt, weekday } from './calendar.ts';
import type { DemoOptions } from './demo-history.ts';
import type { DemoSystem } from './demo-systems.ts';
import { APPS, fnv } from './demo-systems.ts';
import type { FailKind, Subject } from './failure-catalog.ts';
import { COMBOS, CULTURES } from './name-cultures.ts';
import type { Named, Person } from './people.ts';
import { APP_GROUPS, DEPARTMENTS } from './people.ts';
import { Prng, hash2, hash3, mix32, uuidFrom } from './prng.ts';
import { coprimeStep } from './run-helpers.ts';
import type { Ctx } from './run-types.ts';

/**
 * The state of one demo run and its output buckets. The run is a chain of layers, each in its
 * own file and each adding one kind of behaviour: people, entries, steps, payloads, outcomes,
 * follow-ups, tasks, scheduled tasks, single changes, and `DemoRun`, which plans the hours.
 * Only this layer holds fields, so that every field is set before any layer's code runs.
 */
export abstract class RunState {
  protected readonly rng: Prng;
  protected readonly seed: number;
  protected readonly now: number;
  protected readonly start: number;
  protected readonly span: number;
  protected readonly target: number;
  protected readonly peopleCount: number;
  protected readonly cache: Array<Person | undefined>;
  protected readonly cacheMask: number;
  protected readonly busy: number;
  protected readonly step: number;
  protected readonly comboOffset: number;
  protected readonly groups: Named[];
  protected readonly orgs: Named[];
  /**
   * Entries made but not yet written, by the hour they fall in (with their times alongside):
   * follow-ups and long tasks land in later hours, and each hour is sorted once when it is due.
   */
  protected buckets: Array<{ t: number[]; e: EntryInput[] } | undefined> = [];
  protected pendingTasks: Array<{ t: number; task: TaskInput }> = [];
  protected outEntries: EntryInput[] = [];
  protected outTasks: TaskInput[] = [];
  protected changeN = 0;
  protected readonly changeMask: number;
  protected readonly stepCache = new Map<string, Step>();
  protected readonly stepById: Array<Step | undefined> = [];
  protected readonly texts: Array<string | undefined> = [];
  protected readonly namedCache = new Map<Named, Subject[]>();
  protected readonly failCache = new Map<
    string,
    { kinds: FailKind[]; weights: number[]; total: number }
  >();
  protected scripted: Array<{ t: number; run: () => void }> = [];
  protected lastLdap = 0;
  // Budgets: how many entries (or events) each kind of activity gets.
  protected readonly perLdap: number;
  protected readonly perCsv: number;
  protected readonly perGroupCsv: number;
  protected readonly perFullSync: number;
  protected readonly outEvents: number;
  protected readonly inEvents: number;
  protected readonly iamEvents: number;
  protected readonly weights: Float64Array;
  protected readonly weightTotal: number;
  protected acc = { out: 0, inb: 0, iam: 0 };
  protected clock = 0;
  protected member: Person | undefined;
  protected readonly ctxCache: Array<Ctx | undefined> = [];
  protected readonly cycleNum: number[] = [];
  protected readonly cycleIds: string[] = [];
  protected lastMods: ModifiedProperty[] | undefined;
  protected lastPatch: unknown;
  protected isoHour = -1;
  protected readonly isoPrefix = new Uint16Array(14);

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
  }

  /** Moves what happened in hour `k` (and tasks started before `until`) to the output, in time order. */
  protected flush(k: number, until: number): void {
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

  protected due(t: number, e: EntryInput): void {
    if (t > this.now) return;
    const k = Math.max(0, Math.min(this.weights.length - 1, Math.floor((t - this.start) / HOUR)));
    const b = (this.buckets[k] ??= { t: [], e: [] });
    b.t.push(t);
    b.e.push(e);
  }

  protected count(period: number, offset: number, keep: (t: number) => boolean): number {
    let n = 0;
    for (let t = firstAt(period, offset, this.start); t <= this.now; t += period) if (keep(t)) n++;
    return n;
  }

  // --- ids --------------------------------------------------------------------------

  protected changeId(): string {
    const n = this.changeN++;
    return uuidFrom(
      this.rng.u32(),
      this.rng.u32(),
      this.rng.u32(),
      (Math.imul(n, 0x9e3779b1) ^ this.changeMask) >>> 0,
    );
  }

  /** Single changes run in the job's incremental cycle of the moment (40 minutes, as in Entra). */
  protected cycleOf(sys: DemoSystem, t: number): string {
    const c = Math.floor(t / (40 * MIN));
    const i = sys.index;
    if (this.cycleNum[i] === c) return this.cycleIds[i]!;
    const h = hash3(this.seed, fnv(sys.id), c);
    const id = uuidFrom(h, mix32(h + 1), mix32(h + 2), mix32(h + 3));
    this.cycleNum[i] = c;
    this.cycleIds[i] = id;
    return id;
  }
}
