import { Cron } from 'croner';
import type { Job } from '../model/job.ts';
import { JobRunError, type JobRunner } from './job-runner.ts';

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Runs active jobs on their cron schedules. A tick that finds its job still running is skipped
 * (a job never runs twice at once); `reload` picks up jobs created or changed since.
 */
export class Scheduler {
  private readonly crons = new Map<string, { schedule: string; cron: Cron }>();

  constructor(
    private readonly deps: {
      jobs: { listJobs(): Promise<Job[]> };
      runner: JobRunner;
      log: SchedulerLog;
    },
  ) {}

  async reload(): Promise<void> {
    const wanted = new Map(
      (await this.deps.jobs.listJobs())
        .filter((j) => j.schedule && j.state !== 'paused' && j.state !== 'quarantined')
        .map((j) => [j.id, j.schedule!]),
    );
    for (const [id, { schedule, cron }] of this.crons) {
      if (wanted.get(id) !== schedule) {
        cron.stop();
        this.crons.delete(id);
      }
    }
    for (const [id, schedule] of wanted) {
      if (this.crons.has(id)) continue;
      const cron = new Cron(
        schedule,
        {
          protect: true,
          catch: (err) => this.deps.log.warn({ err, jobId: id }, 'scheduled run failed'),
        },
        () => this.fire(id),
      );
      this.crons.set(id, { schedule, cron });
    }
  }

  /** Next run per scheduled job, for display. */
  nextRuns(): Record<string, string | null> {
    return Object.fromEntries(
      [...this.crons].map(([id, { cron }]) => [id, cron.nextRun()?.toISOString() ?? null]),
    );
  }

  private async fire(jobId: string): Promise<void> {
    try {
      const { taskId, done } = await this.deps.runner.start({
        jobId,
        triggerMethod: 'automatic',
        trigger: 'scheduled_sync',
      });
      this.deps.log.info({ jobId, taskId }, 'scheduled run started');
      await done;
    } catch (err) {
      if (err instanceof JobRunError)
        this.deps.log.info({ jobId, reason: err.message }, 'scheduled run skipped');
      else this.deps.log.warn({ err, jobId }, 'scheduled run failed');
    }
  }

  stop(): void {
    for (const { cron } of this.crons.values()) cron.stop();
    this.crons.clear();
  }
}
