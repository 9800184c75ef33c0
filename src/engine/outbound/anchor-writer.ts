import type { HubObjectType } from '../../model/directory.ts';
import type { DirectoryStore } from '../../store/directory/directory-store.ts';

/** Where a job's links (hub id → target id) are written as objects are provisioned. */
export interface AnchorWriter {
  set(hubId: string, objectType: HubObjectType, targetId: string): Promise<void>;
  remove(hubId: string): Promise<void>;
}

/** Each link written at once, in a transaction of its own: single changes, retries. */
export function directAnchors(directory: DirectoryStore, jobId: string): AnchorWriter {
  return {
    set: (hubId, objectType, targetId) => directory.setAnchor(jobId, hubId, objectType, targetId),
    remove: (hubId) => directory.removeAnchor(jobId, hubId),
  };
}

/**
 * Links kept in memory and written per chunk of a cycle in one transaction: a commit per
 * object was the largest cost of a full cycle. Losing the buffer in a crash creates no
 * duplicate: matching by attribute finds the objects again and writes their links then.
 */
export class BufferedAnchors implements AnchorWriter {
  private ops: Array<{ hubId: string; set?: { objectType: HubObjectType; targetId: string } }> = [];

  constructor(
    private readonly directory: DirectoryStore,
    private readonly jobId: string,
  ) {}

  set(hubId: string, objectType: HubObjectType, targetId: string): Promise<void> {
    this.ops.push({ hubId, set: { objectType, targetId } });
    return Promise.resolve();
  }

  remove(hubId: string): Promise<void> {
    this.ops.push({ hubId });
    return Promise.resolve();
  }

  /** Writes what was buffered, in order, in one transaction. */
  async flush(): Promise<void> {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    await this.directory.withTransaction(async (d) => {
      for (const op of ops)
        if (op.set) await d.setAnchor(this.jobId, op.hubId, op.set.objectType, op.set.targetId);
        else await d.removeAnchor(this.jobId, op.hubId);
    });
  }
}
