import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * How far a WAL database's checkpoints lag: frames in the WAL (`mxFrame`) and frames already
 * copied into the database (`nBackfill`), read from the wal-index in the `-shm` file, which
 * every connection to the database maps. SQLite keeps both there in native byte order: the
 * wal-index header (48 bytes, written twice) and then the checkpoint information, whose first
 * field is `nBackfill` (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). Reading
 * it takes no lock and costs one small read, where asking SQLite (`PRAGMA wal_checkpoint`)
 * would checkpoint as it answers. A figure read while a writer commits may be a moment old; it
 * only decides when to checkpoint.
 */
export interface WalProgress {
  frames: number;
  backfilled: number;
}

/** The wal-index format this layout belongs to (`iVersion`, WALINDEX_MAX_VERSION). */
const WAL_INDEX_VERSION = 3007000;
const HEADER_BYTES = 104;
const MX_FRAME = 16;
const N_BACKFILL = 96;

/** Reads the `-shm` file of a database; a fresh reader keeps its file open between reads. */
export class WalProgressReader {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(HEADER_BYTES);

  constructor(private readonly shmFile: string) {}

  /** The WAL's progress, or undefined when there is no wal-index (yet) or it is not one SQLite wrote as expected. */
  read(): WalProgress | undefined {
    try {
      this.fd ??= openSync(this.shmFile, 'r');
      if (readSync(this.fd, this.buf, 0, HEADER_BYTES, 0) < HEADER_BYTES) return undefined;
    } catch {
      return undefined;
    }
    const u32 = (at: number) =>
      LITTLE_ENDIAN ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
    // isInit (byte 12) is set once a connection has built the index.
    if (u32(0) !== WAL_INDEX_VERSION || this.buf[12] !== 1) return undefined;
    const frames = u32(MX_FRAME);
    const backfilled = u32(N_BACKFILL);
    return backfilled <= frames ? { frames, backfilled } : undefined;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';
