import { WorkerChannel } from '../../threads/worker-channel.ts';

/** A database to checkpoint, once this many frames of its WAL wait (on a commit). */
export interface WatchedFile {
  file: string;
  frames: number;
}

export type CheckpointCall =
  { id: number; event: 'committed' | 'rested' } | { id: number; close: true };
export type CheckpointReply =
  { id: number; ok: true; rounds: number } | { id: number; ok: false; error: string };

/**
 * Checkpoints WAL databases from a thread of its own, so that a writer never stops to copy its
 * WAL into the database and sync both. A checkpoint of 128 MiB of WAL took 0.1–0.3 s here,
 * mostly waiting for the disk, and SQLite runs it inside the commit that crosses its limit:
 * the log's writer spent ~3 s of a 12 s ingest of 200,000 entries in such syncs. Told of each
 * commit, the thread reads how far each database's WAL lags (wal-progress.ts) and, from
 * the file's `frames` on, copies it until it has caught up; told that the writers rest, it copies
 * whatever is left. SQLite starts a WAL from its beginning again only when a write finds it
 * copied whole, which a writer that never pauses rarely lets happen: the writers keep their
 * own automatic checkpoint at a higher limit, which then has only the last commits left to copy.
 */
export class Checkpointer {
  private readonly channel: WorkerChannel<CheckpointReply>;

  constructor(files: WatchedFile[]) {
    this.channel = new WorkerChannel(
      new URL('./checkpointer-worker.js', import.meta.url),
      'the checkpointer',
      { files },
    );
  }

  /** Why the thread no longer checkpoints, if it does not. */
  get failed(): Error | undefined {
    return this.channel.failed;
  }

  /**
   * After a commit (`committed`: checkpoints past the limit) or when writes pause (`rested`:
   * copies everything); resolves with the rounds of checkpointing it ran.
   */
  notify(event: 'committed' | 'rested'): Promise<number> {
    return this.channel.request({ event }).then((reply) => {
      if (!reply.ok) throw new Error(`the checkpointer failed: ${reply.error}`);
      return reply.rounds;
    });
  }

  /** Closes the thread's connections and ends it. */
  async close(): Promise<void> {
    if (!this.channel.failed) await this.channel.request({ close: true }).catch(() => undefined);
    await this.channel.terminate();
  }
}
