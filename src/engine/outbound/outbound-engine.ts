import type { Actor, Entry, EntryInput } from '../../model/entry.ts';
import type { Job, JobState, System } from '../../model/job.ts';
import type { Task, TaskInput } from '../../model/task.ts';
import type { DirectoryStore } from '../../store/directory/directory-store.ts';
import type { LogStore } from '../../store/log-store.ts';
import type { OutboundStore } from '../../store/outbound/outbound-store.ts';
import { TraceFilter } from '../trace-level.ts';
import { writeEngineRecords } from '../engine-log.ts';
import { step } from '../entry-builder.ts';
import { judgeRun, quarantineWait } from './job-health.ts';
import { mapPool } from './map-pool.ts';
import { createMemberProvisioner, type MemberProvisioner } from './member-provisioner.ts';
import { runOutboundCycle, type OutboundCycleOptions } from './outbound-cycle.ts';
import { outboundEntry, type OutboundContext } from './outbound-entry.ts';
import { prepareTarget, type PreparedTarget } from './outbound-target.ts';
import { nextRetryDelay } from './retry-policy.ts';
import type { ScimClients } from './scim-clients.ts';
import { syncGroup, type GroupRequest } from './sync-group.ts';
import { syncUser, type UserRequest } from './sync-user.ts';

/** One object to push: a user (the default) or a group. */
export type SyncRequest =
  (UserRequest & { objectType?: 'user' }) | (GroupRequest & { objectType: 'group' });

/** What the outbound engine needs of the configuration store. */
export interface OutboundCatalog {
  getJob(id: string): Promise<Job | undefined>;
  getSystem(id: string): Promise<System | undefined>;
  listJobs(): Promise<Job[]>;
  setJobState(id: string, state: JobState, reason?: string): Promise<unknown>;
}

export interface OutboundDeps {
  jobs: OutboundCatalog;
  directory: DirectoryStore;
  log: LogStore;
  outbound: OutboundStore;
  clients: ScimClients;
  now: () => number;
}

/** Why an operator's action on an entry or job was refused. */
export class OutboundActionError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The outbound side of the engine: cycles, single-change push, retries (automatic and by
 * hand), confirmation, provision on demand and job health, over one set of stores.
 */
export class OutboundEngine {
  readonly deps: OutboundDeps;
  /** Objects in flight per job; the SCIM client's own limiter bounds the HTTP concurrency. */
  readonly concurrency: number;
  private readonly cycles = new Set<string>();
  private readonly pushing = new Map<string, Promise<number>>();

  constructor(
    deps: Omit<OutboundDeps, 'now'> & { now?: () => number },
    opts: { concurrency?: number } = {},
  ) {
    this.deps = { ...deps, now: deps.now ?? Date.now };
    this.concurrency = opts.concurrency ?? 32;
  }

  static handles(job: Job, system: System): boolean {
    return job.direction === 'outbound' && system.type === 'scim';
  }

  prepare(job: Job, system: System): Promise<PreparedTarget> {
    return prepareTarget(job, system, this.deps.clients, this.deps.directory);
  }

  /** A cycle as one task; a push in flight for the job finishes first. */
  async runCycle(opts: OutboundCycleOptions): Promise<Task> {
    const id = opts.job.id;
    if (this.cycles.has(id))
      throw new OutboundActionError('conflict', `Job ${id} is already running`);
    this.cycles.add(id);
    try {
      await this.pushing.get(id);
      return await runOutboundCycle(this, opts);
    } finally {
      this.cycles.delete(id);
    }
  }

  isRunning(jobId: string): boolean {
    return this.cycles.has(jobId);
  }

  write(entries: EntryInput[], task?: TaskInput): Promise<void> {
    return writeEngineRecords(this.deps.log, this.deps.now(), entries, task);
  }

  /** The system's trace level: routine no-change skips (or all but failures) are not stored. */
  traced(system: System, entries: EntryInput[], trace = new TraceFilter(system.traceLevel)) {
    return entries.filter((e) => trace.keep(e));
  }

  /**
   * One attempt on one object, as an entry: the retry state comes from the job's policy —
   * a transient failure with attempts left gets `retryAt`, the last one is permanent.
   */
  async attempt(
    prepared: Extract<PreparedTarget, { ok: true }>,
    ctx: OutboundContext,
    req: SyncRequest,
    previous?: { operationId: string; attempt: number },
    members?: MemberProvisioner,
  ): Promise<EntryInput> {
    const o =
      req.objectType === 'group'
        ? await syncGroup(prepared.target, req, this.deps.now, members?.ensure)
        : await syncUser(prepared.target, req, this.deps.now);
    const attempt = (previous?.attempt ?? 0) + 1;
    const policy = prepared.policy;
    const maxAttempts = Math.max(policy.maxAttempts, attempt);
    let retryAt: number | undefined;
    if (o.status === 'failure') {
      const delay = o.transient
        ? nextRetryDelay(
            policy,
            attempt,
            o.retryAfterMs !== undefined ? { retryAfterMs: o.retryAfterMs } : {},
          )
        : undefined;
      if (delay !== undefined) {
        retryAt = this.deps.now() + delay;
        o.steps.push(
          step(
            'provision',
            'failure',
            `Attempt ${attempt} of ${maxAttempts} failed; the next is due at ${new Date(retryAt).toISOString()}`,
            {
              attempt,
              maxAttempts,
            },
          ),
        );
      } else if (o.transient) {
        o.reason = `${o.reason ?? ''} (gave up after ${attempt} of ${maxAttempts} attempts)`.trim();
      }
    }
    return outboundEntry(ctx, o, {
      ...(previous ? { operationId: previous.operationId } : {}),
      attempt,
      maxAttempts,
      ...(retryAt !== undefined ? { retryAt } : {}),
    });
  }

  /** Members to provision before their groups, for one run (or one retry) of a job. */
  memberProvisioner(
    prepared: Extract<PreparedTarget, { ok: true }>,
    ctx: OutboundContext,
  ): MemberProvisioner {
    return createMemberProvisioner(prepared.target, (hubId) =>
      this.attempt(prepared, ctx, { hubId }),
    );
  }

  /**
   * Feeds the job the hub users and groups changed since its watermark, a batch at a time
   * (users first: a group's new members are then linked).
   */
  async consumeChanges(
    job: Job,
    handle: (batch: { users: string[]; groups: string[] }) => Promise<void>,
  ): Promise<number> {
    const { directory, outbound } = this.deps;
    let watermark = (await outbound.state(job.id)).watermark;
    let total = 0;
    const of = (items: Array<{ objectType: string; objectId: string }>, type: string) =>
      job.objectTypes.includes(type as 'user' | 'group')
        ? [...new Set(items.filter((c) => c.objectType === type).map((c) => c.objectId))]
        : [];
    for (;;) {
      const { items, lastSeq } = await directory.changesSince(watermark, 1000);
      if (items.length === 0) return total;
      const users = of(items, 'user');
      const groups = of(items, 'group');
      if (users.length || groups.length) await handle({ users, groups });
      total += users.length + groups.length;
      await outbound.advance(job.id, lastSeq);
      watermark = lastSeq;
    }
  }

  /** Quarantines a job whose run failed past its threshold; lifts it after a healthy run. */
  async judge(job: Job, processed: number, failed: number, taskId?: string): Promise<void> {
    const verdict = judgeRun(job, processed, failed);
    const { outbound, jobs, now } = this.deps;
    const state = await outbound.state(job.id);
    if (verdict.healthy) {
      const before = await jobs.getJob(job.id);
      if (before?.state === 'not_run') await jobs.setJobState(job.id, 'active');
      if (state.quarantineLevel > 0) {
        await outbound.setQuarantine(job.id, { level: 0, until: null, reason: null });
        const current = await jobs.getJob(job.id);
        if (current?.state === 'quarantined') await jobs.setJobState(job.id, 'active');
      }
      return;
    }
    const level = state.quarantineLevel + 1;
    const until = now() + quarantineWait(level);
    const reason = `Quarantined: ${verdict.reason}${taskId ? ` in task ${taskId}` : ''}; next try at ${new Date(until).toISOString()}`;
    await outbound.setQuarantine(job.id, { level, until, reason });
    const current = await jobs.getJob(job.id);
    if (current && current.state !== 'paused')
      await jobs.setJobState(job.id, 'quarantined', reason);
  }

  /** An operator resumed the job: its quarantine, and the widening wait, start from nothing. */
  async releaseQuarantine(jobId: string): Promise<void> {
    await this.deps.outbound.setQuarantine(jobId, { level: 0, until: null, reason: null });
  }

  /** Runs each quarantined job whose wait is over: healthy lifts it, else the wait widens. */
  async probeQuarantined(): Promise<number> {
    const due = await this.deps.outbound.quarantineDue(this.deps.now());
    let probed = 0;
    for (const q of due) {
      const job = await this.deps.jobs.getJob(q.jobId);
      const system = job && (await this.deps.jobs.getSystem(job.systemId));
      if (!job || !system || job.state !== 'quarantined' || this.isRunning(job.id)) continue;
      await this.runCycle({
        job,
        system,
        mode: 'full',
        triggerMethod: 'automatic',
        trigger: 'scheduled_sync',
      });
      probed++;
    }
    return probed;
  }

  // ---- single-change push

  /** Pushes hub changes at once to every active outbound job that has had its full cycle. */
  async pushChanges(): Promise<number> {
    let pushed = 0;
    for (const job of await this.deps.jobs.listJobs()) {
      if (job.direction !== 'outbound' || job.state !== 'active' || this.isRunning(job.id))
        continue;
      if (this.pushing.has(job.id)) continue;
      const system = await this.deps.jobs.getSystem(job.systemId);
      if (!system || system.type !== 'scim') continue;
      const p = this.pushJob(job, system).finally(() => this.pushing.delete(job.id));
      this.pushing.set(job.id, p);
      pushed += await p;
    }
    return pushed;
  }

  private async pushJob(job: Job, system: System): Promise<number> {
    if (!(await this.deps.outbound.state(job.id)).fullDone) return 0;
    const prepared = await this.prepare(job, system);
    if (!prepared.ok) return 0;
    const ctx: OutboundContext = {
      job,
      system,
      taskId: null,
      triggerMethod: 'automatic',
      source: 'single_change',
      now: this.deps.now,
    };
    const members = this.memberProvisioner(prepared, ctx);
    return this.consumeChanges(job, async ({ users, groups }) => {
      const entries = await mapPool(users, this.concurrency, (hubId) =>
        this.attempt(prepared, ctx, { hubId }),
      );
      for (const e of entries) members.remember(e);
      entries.push(
        ...(await mapPool(groups, this.concurrency, (hubId) =>
          this.attempt(prepared, ctx, { hubId, objectType: 'group' }, undefined, members),
        )),
      );
      await this.write(this.traced(system, [...members.drain(), ...entries]));
    });
  }

  // ---- retries, confirmation, provision on demand

  /** Every failure whose next attempt is due, as a log entry of the same operation. */
  async retryDue(limit = 200): Promise<number> {
    const due = await this.deps.outbound.dueRetries(this.deps.now(), limit);
    let done = 0;
    for (const d of due) {
      const job = await this.deps.jobs.getJob(d.jobId);
      // A paused or quarantined job's retries wait for it; a running cycle goes first.
      if (!job || job.state !== 'active' || this.isRunning(job.id)) continue;
      await this.retryEntry(d.changeId, { manual: false }).catch(() => undefined);
      done++;
    }
    return done;
  }

  /** Another attempt at a failed entry's operation (matching first: no duplicate). */
  async retryEntry(changeId: string, opts: { manual: boolean; actor?: Actor }): Promise<Entry> {
    const { entry, job, system } = await this.failedEntry(changeId);
    if (this.isRunning(job.id))
      throw new OutboundActionError(
        'conflict',
        `Job ${job.id} is running; retry when it has finished`,
      );
    const prepared = await this.prepare(job, system);
    if (!prepared.ok) throw new OutboundActionError('conflict', prepared.reason);
    const ctx: OutboundContext = {
      job,
      system,
      // A retry is a log entry of its own: the task keeps counting the object once.
      taskId: null,
      ...(entry.cycleId ? { cycleId: entry.cycleId } : {}),
      triggerMethod: opts.manual ? 'manual' : 'automatic',
      source: opts.manual ? 'retry_after_modification' : (entry.source ?? 'scheduled_sync'),
      ...(opts.actor ? { actor: opts.actor } : {}),
      now: this.deps.now,
    };
    const members = this.memberProvisioner(prepared, ctx);
    const hubId = entry.sourceIdentity!.id!;
    const next = await this.attempt(
      prepared,
      ctx,
      entry.objectType === 'group'
        ? { hubId, retry: true, objectType: 'group' }
        : { hubId, retry: true },
      { operationId: entry.operationId, attempt: entry.attempt ?? 1 },
      members,
    );
    await this.write([...members.drain(), next]);
    return (await this.deps.log.getEntry(next.changeId))!;
  }

  /**
   * The failed change was made by hand in the target: a `confirm` entry resolves the failure,
   * and what waited on it proceeds — a confirmed deletion drops the anchor and the hub user.
   */
  async confirmEntry(changeId: string, actor: Actor): Promise<Entry> {
    const { entry, job, system } = await this.failedEntry(changeId);
    const hubId = entry.sourceIdentity!.id!;
    const now = this.deps.now();
    const steps = [
      step(
        'provision',
        'success',
        `Confirmed by ${actor.displayName ?? actor.id}: done by hand in ${system.name}`,
      ),
    ];
    if (entry.action === 'delete' && entry.objectType === 'group') {
      await this.deps.directory.removeAnchor(job.id, hubId);
      const group = await this.deps.directory.getGroup(hubId);
      if (group) {
        await this.deps.directory.deleteGroup(hubId, {
          type: actor.type === 'token' ? 'token' : 'user',
          id: actor.id,
        });
        steps.push(step('provision', 'success', `Deleted group ${group.displayName} from the hub`));
      }
    } else if (entry.action === 'delete') {
      await this.deps.directory.removeAnchor(job.id, hubId);
      const user = await this.deps.directory.getUser(hubId);
      if (user) {
        await this.deps.directory.deleteUser(hubId, {
          type: actor.type === 'token' ? 'token' : 'user',
          id: actor.id,
        });
        steps.push(step('provision', 'success', `Deleted ${user.userName} from the hub`));
      }
    }
    const ctx: OutboundContext = {
      job,
      system,
      taskId: null,
      ...(entry.cycleId ? { cycleId: entry.cycleId } : {}),
      triggerMethod: 'manual',
      source: 'manual_operation',
      actor,
      now: this.deps.now,
    };
    const confirm = outboundEntry(
      ctx,
      {
        objectType: entry.objectType === 'group' ? 'group' : 'user',
        action: 'confirm',
        status: 'success',
        reason: `Confirmed: the ${entry.action} was done by hand`,
        steps,
        hubId,
        ...(entry.sourceIdentity?.displayName ? { hubName: entry.sourceIdentity.displayName } : {}),
        ...(entry.targetIdentity?.id ? { targetId: entry.targetIdentity.id } : {}),
        startedAt: now,
        exchanges: 0,
      },
      {
        operationId: entry.operationId,
        attempt: entry.attempt ?? 1,
        maxAttempts: entry.maxAttempts ?? entry.attempt ?? 1,
      },
    );
    await this.write([confirm]);
    return (await this.deps.log.getEntry(confirm.changeId))!;
  }

  /**
   * One hub user or group through the job now (a group's unlinked members are provisioned
   * first); a dry run records what would be sent and sends nothing.
   */
  async provisionOnDemand(
    jobId: string,
    objectId: string,
    opts: { dryRun: boolean; actor?: Actor },
  ): Promise<Entry> {
    const job = await this.deps.jobs.getJob(jobId);
    if (!job) throw new OutboundActionError('not_found', `No job ${JSON.stringify(jobId)}`);
    const system = await this.deps.jobs.getSystem(job.systemId);
    if (!system || !OutboundEngine.handles(job, system))
      throw new OutboundActionError(
        'unsupported',
        `Provision on demand needs an outbound job to a SCIM system; ${job.id} is not one`,
      );
    const { directory } = this.deps;
    const user =
      (await directory.getUser(objectId)) ?? (await directory.findUserByUserName(objectId));
    const group = user
      ? undefined
      : ((await directory.getGroup(objectId)) ??
        (await directory.findGroupByDisplayName(objectId)));
    if (!user && !group)
      throw new OutboundActionError(
        'not_found',
        `No hub user (id or userName) or group (id or displayName) ${JSON.stringify(objectId)}`,
      );
    const type = user ? 'user' : 'group';
    if (!job.objectTypes.includes(type))
      throw new OutboundActionError(
        'unsupported',
        `Job ${job.id} does not provision ${type}s (objectTypes: ${job.objectTypes.join(', ')})`,
      );
    const prepared = await this.prepare(job, system);
    if (!prepared.ok) throw new OutboundActionError('conflict', prepared.reason);
    const ctx: OutboundContext = {
      job,
      system,
      taskId: null,
      triggerMethod: 'manual',
      source: 'manual_operation',
      ...(opts.actor ? { actor: opts.actor } : {}),
      now: this.deps.now,
    };
    const members = this.memberProvisioner(prepared, ctx);
    const e = await this.attempt(
      prepared,
      ctx,
      user
        ? { hubId: user.id, user, dryRun: opts.dryRun }
        : { hubId: group!.id, group: group!, dryRun: opts.dryRun, objectType: 'group' },
      undefined,
      members,
    );
    await this.write([...members.drain(), e]);
    return (await this.deps.log.getEntry(e.changeId))!;
  }

  private async failedEntry(changeId: string): Promise<{ entry: Entry; job: Job; system: System }> {
    const entry = await this.deps.log.getEntry(changeId);
    if (!entry)
      throw new OutboundActionError(
        'not_found',
        `No entry with changeId ${JSON.stringify(changeId)}`,
      );
    if (entry.status !== 'failure')
      throw new OutboundActionError(
        'conflict',
        `Entry ${changeId} is ${entry.status}; only failures can be retried or confirmed`,
      );
    if (entry.resolvedBy)
      throw new OutboundActionError(
        'conflict',
        `Entry ${changeId} was already resolved by ${entry.resolvedBy}`,
      );
    if (
      entry.direction !== 'outbound' ||
      !entry.jobId ||
      !entry.sourceIdentity?.id ||
      (entry.objectType !== 'user' && entry.objectType !== 'group')
    )
      throw new OutboundActionError(
        'unsupported',
        `Entry ${changeId} is not a user or group of one of provlog's outbound jobs`,
      );
    const latest = await this.deps.outbound.latestAttempt(entry.operationId);
    if (latest && latest !== changeId)
      throw new OutboundActionError(
        'conflict',
        `Entry ${changeId} is not the latest attempt of its operation: act on ${latest}`,
      );
    const job = await this.deps.jobs.getJob(entry.jobId);
    const system = job && (await this.deps.jobs.getSystem(job.systemId));
    if (!job || !system || !OutboundEngine.handles(job, system))
      throw new OutboundActionError(
        'unsupported',
        `The job ${entry.jobId} of entry ${changeId} is gone or not a SCIM outbound job`,
      );
    return { entry, job, system };
  }
}
