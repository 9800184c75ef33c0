import type { Job, System } from '../model/job.ts';

/** What the runner needs of the configuration store. */
export interface JobCatalog {
  getJob(id: string): Promise<Job | undefined>;
  getSystem(id: string): Promise<System | undefined>;
  /** Decrypted secrets of a system, for its connector only (never logged or returned). */
  getSystemSecrets?(id: string): Promise<Record<string, string>>;
}

export class JobRunError extends Error {
  constructor(
    readonly kind: 'not_found' | 'busy' | 'unsupported' | 'paused',
    message: string,
  ) {
    super(message);
  }
}
