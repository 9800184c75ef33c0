import type { OutboundEngine } from './outbound-engine.ts';

export interface OutboundWorkerOptions {
  /** How often the hub change feed is read for single-change pushes. */
  pushEveryMs?: number;
  /** How often due retries and quarantine probes are looked for. */
  retryEveryMs?: number;
  onError?: (what: string, err: unknown) => void;
}

/**
 * The background side of `provlog serve`: pushes hub changes as they come, runs due retries
 * and probes quarantined jobs. Everything it acts on is in the store (watermarks, `retry_at`,
 * quarantine times), so a restart resumes where the last process stopped.
 */
export class OutboundWorker {
  private timers: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();

  constructor(
    private readonly engine: OutboundEngine,
    private readonly opts: OutboundWorkerOptions = {},
  ) {}

  start(): void {
    this.every(this.opts.pushEveryMs ?? 250, 'push', () => this.engine.pushChanges());
    this.every(this.opts.retryEveryMs ?? 1000, 'retry', async () => {
      await this.engine.retryDue();
      await this.engine.probeQuarantined();
    });
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private every(ms: number, what: string, fn: () => Promise<unknown>): void {
    const tick = () => {
      if (this.busy.has(what)) return;
      this.busy.add(what);
      fn()
        .catch((err: unknown) => this.opts.onError?.(what, err))
        .finally(() => this.busy.delete(what));
    };
    this.timers.push(setInterval(tick, ms));
  }
}
