/**
 * Memory for ingest bodies, used again from one request to the next. A body of 5,000 entries
 * is ~9 MB; read into new memory each time (as a framework's body parser reads it), each of its
 * 4 KiB pages is a page fault when first written — ~10 µs on a virtual machine, ~20 ms a body,
 * half the main thread's time in an HTTP ingest on such a machine. A buffer handed to a worker
 * thread is moved there and comes back with its answer (prepare-pool.ts).
 */
export class BodyBuffers {
  private readonly free: ArrayBuffer[] = [];

  constructor(
    /** Buffers kept at most. */
    private readonly keep = 4,
    /** Buffers bigger than this are not kept (a rare huge body does not stay in memory). */
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** Memory for at least `bytes` bytes: a kept buffer if one is big enough, else a new one. */
  take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength;
      if (size >= bytes && (best === -1 || size < this.free[best]!.byteLength)) best = i;
    }
    if (best !== -1) return this.free.splice(best, 1)[0]!;
    // Rounded up to a MiB, so bodies of about the same size share buffers.
    return new ArrayBuffer(Math.max(MIB, Math.ceil(bytes / MIB) * MIB));
  }

  /** A buffer no one uses any more (moved away and back, or never moved). */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || buffer.byteLength > this.maxBytes) return;
    if (this.free.length >= this.keep) {
      // Keep the bigger ones: a small buffer serves fewer bodies.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++)
        if (this.free[i]!.byteLength < this.free[smallest]!.byteLength) smallest = i;
      if (this.free[smallest]!.byteLength >= buffer.byteLength) return;
      this.free.splice(smallest, 1);
    }
    this.free.push(buffer);
  }

  /** Buffers kept now (for tests). */
  get size(): number {
    return this.free.length;
  }
}

const MIB = 1024 * 1024;
