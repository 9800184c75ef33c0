import type { Source, TriggerMethod } from '../model/enums.ts';
import type { Actor } from '../model/entry.ts';
import { approveStagedDeletions } from './approve-deletions.ts';
import { JobRunError, type JobCatalog } from './job-catalog.ts';
import type { Job, System } from '../model/job.ts';
import type { Task } from '../model/task.ts';
import type { LogStore } from '../store/log-store.ts';
import type { DirectoryStore } from '../store/directory/directory-store.ts';
import { openCsvSource } from '../connectors/csv/csv-source.ts';
import { runInboundCycle, type InboundCycleOptions, type OpenedSource } from './inbound-cycle.ts';
import type { InboundSource } from './source-row.ts';
import { openLdapInbound, type RunMode } from './open-ldap.ts';
import { OutboundEngine } from './outbound/outbound-engine.ts';

export { JobRunError, type JobCatalog } from './job-catalog.ts';

export interface RunRequest {
  jobId: string;
  /** For CSV jobs: the file to import (else the system's `settings.path`). */
  file?: string;
  /**
   * A full run (deprovisions what is gone) or only what changed since the last good one.
   * LDAP jobs default to the system's settings.incremental; outbound jobs to full until one
   * full cycle completed.
   */
  mode?: RunMode;
  triggerMethod: TriggerMethod;
  trigger: Source;
  parentTaskId?: string;
  /** Outbound jobs: only these hub objects (the re-trigger of an incremental task). */
  objects?: Array<{ objectType: string; id: string }>;
}

/**
 * Starts job runs. A job never runs twice at once: a second request while one runs is refused
 * with the running task's id.
 */
export class JobRunner {
  private readonly running = new Map<string, string | null>();

  constructor(
    private readonly deps: {
      jobs: JobCatalog;
      directory: DirectoryStore;
      log: LogStore;
      /** Runs outbound SCIM jobs; without it they are refused as unsupported. */
      outbound?: OutboundEngine;
      now?: () => number;
    },
  ) {}

  /** Resolves when the task exists (with its id); `done` resolves when the cycle ends. */
  async start(req: RunRequest): Promise<{ taskId: string; done: Promise<Task> }> {
    const job = await this.deps.jobs.getJob(req.jobId);
    if (!job) throw new JobRunError('not_found', `No job ${JSON.stringify(req.jobId)}`);
    if (job.state === 'paused')
      throw new JobRunError('paused', `Job ${job.id} is paused; resume it first`);
    if (this.running.has(job.id)) {
      const taskId = this.running.get(job.id);
      throw new JobRunError(
        'busy',
        `Job ${job.id} is already running${taskId ? ` (task ${taskId})` : ''}`,
      );
    }
    const system = await this.deps.jobs.getSystem(job.systemId);
    if (!system)
      throw new JobRunError(
        'not_found',
        `Job ${job.id} names system ${job.systemId}, which does not exist`,
      );
    const outbound = this.deps.outbound;
    if (outbound && OutboundEngine.handles(job, system)) {
      if (outbound.isRunning(job.id))
        throw new JobRunError('busy', `Job ${job.id} is already running`);
      return this.track(job.id, (onTaskStarted) =>
        outbound.runCycle({ job, system, ...req, onTaskStarted }),
      );
    }
    if (job.direction !== 'inbound' || (system.type !== 'csv' && system.type !== 'ldap')) {
      throw new JobRunError(
        'unsupported',
        `Running ${system.type} ${job.direction} jobs is not available yet`,
      );
    }
    this.running.set(job.id, null);
    let started!: (id: string) => void;
    const taskStarted = new Promise<string>((resolve) => (started = resolve));
    const done = (async () => {
      let opened: OpenedSource | undefined;
      try {
        // A directory is opened once the task exists: connecting and binding may take a while,
        // and their failure belongs in the task.
        const source =
          system.type === 'ldap'
            ? async () => (opened = await openLdapInbound(this.deps, job, system, req.mode))
            : await this.openCsv(job, system, req.file);
        const opts: InboundCycleOptions = {
          job,
          system,
          source,
          triggerMethod: req.triggerMethod,
          trigger: req.trigger,
          ...(req.parentTaskId ? { parentTaskId: req.parentTaskId } : {}),
          onTaskStarted: (id) => {
            this.running.set(job.id, id);
            started(id);
          },
        };
        const deps = {
          directory: this.deps.directory,
          log: this.deps.log,
          ...(this.deps.now ? { now: this.deps.now } : {}),
        };
        return (await runInboundCycle(deps, opts)).task;
      } finally {
        if (opened && 'close' in opened) await opened.close?.();
        this.running.delete(job.id);
      }
    })();
    // If the cycle dies before recording its task, surface that error to the caller.
    const taskId = await Promise.race([taskStarted, done.then((t) => t.id)]);
    return { taskId, done };
  }

  /** Runs `cycle` as the job's one run, resolving once its task exists. */
  private async track(
    jobId: string,
    cycle: (onTaskStarted: (id: string) => void) => Promise<Task>,
  ): Promise<{ taskId: string; done: Promise<Task> }> {
    this.running.set(jobId, null);
    let started!: (id: string) => void;
    const taskStarted = new Promise<string>((resolve) => (started = resolve));
    const done = cycle((id) => {
      this.running.set(jobId, id);
      started(id);
    }).finally(() => this.running.delete(jobId));
    const taskId = await Promise.race([taskStarted, done.then((t) => t.id)]);
    return { taskId, done };
  }

  /** Carries out the deletions the job's deletion protection held (see approve-deletions.ts). */
  approveDeletions(
    jobId: string,
    approver: Actor,
  ): Promise<{ approved: number; task: Task | null }> {
    if (this.running.has(jobId))
      throw new JobRunError('busy', `Job ${jobId} is running; approve when it has finished`);
    return approveStagedDeletions(this.deps, jobId, approver);
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  private async openCsv(job: Job, system: System, file?: string): Promise<OpenedSource> {
    const path =
      file ?? (typeof system.settings?.path === 'string' ? system.settings.path : undefined);
    if (!path)
      return {
        failed: {
          code: 'ConfigurationError',
          reason: `No file given, and ${system.name} has no settings.path`,
        },
      };
    const keyColumn =
      (typeof system.settings?.keyColumn === 'string' ? system.settings.keyColumn : undefined) ??
      job.mappings.find((m) => m.target === job.matchingAttribute)?.source;
    // `path` is what a re-trigger reads again: the file this task was given, not whatever
    // settings.path names by then.
    const parameters = { file: path.split('/').pop() ?? path, path };
    if (!keyColumn) {
      return {
        failed: {
          code: 'ConfigurationError',
          reason: `Set ${system.name}'s settings.keyColumn: the matching attribute is not mapped from one column`,
          parameters,
        },
      };
    }
    const opened = await openCsvSource({ path, keyColumn });
    if (!opened.ok) return { failed: { code: opened.code, reason: opened.reason, parameters } };
    const source: InboundSource = {
      connector: 'csv',
      attributes: opened.headers,
      rows: opened.rows,
      full: true,
      parameters,
    };
    return source;
  }
}
