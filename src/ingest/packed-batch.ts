import { HEAD_TEXT_FIELDS, type EntryHead, type PreparedEntry } from '../store/entry-codec.ts';
import type { PreparedBatch } from './prepare-records.ts';

type SystemRef = NonNullable<EntryHead['sourceSystem']>;

/**
 * A prepared batch laid out for a thread hand-off: one array per head field and the documents
 * joined into a few long strings. Structured clone copies arrays of strings and long strings far
 * faster than thousands of small objects — rebuilding the objects here costs a fifth of what
 * cloning them would cost the writer's thread.
 */
export interface PackedBatch {
  tasks: PreparedBatch['tasks'];
  rejected: PreparedBatch['rejected'];
  strings: Record<(typeof STRING_FIELDS)[number], Array<string | null>>;
  sourceSystem: Array<string | null>;
  targetSystem: Array<string | null>;
  /** The documents, joined a few dozen to a string (DOC_CHARS_PER_STRING). */
  docs: string[];
  /** How many documents each string of `docs` holds, in order. */
  docCounts: number[];
  /** Where each document ends in its string. */
  docEnds: number[];
  identities: string[];
}

/**
 * Characters of documents joined to a string. Joined soon after they are made, a batch's
 * documents never outlive a young-generation collection as thousands of separate strings (each
 * copied, then promoted). A string stays under V8's large-object size (128 KiB) even when its
 * characters take two bytes: a string above it gets memory mapped for it alone, on each side of
 * the hand-off, and fresh memory costs a page fault per 4 KiB — about 10 µs each on a virtual
 * machine, where strings of 256 documents made a 100,000-user import take 47,000 more faults
 * (~0.5 s of CPU) than strings of 64. A document longer than this has a string of its own.
 */
export const DOC_CHARS_PER_STRING = 48 * 1024;

const STRING_FIELDS = HEAD_TEXT_FIELDS;

/** A system reference as one string: id, a NUL, name (an id holds no control character). */
const packSystem = (ref: SystemRef | undefined) => (ref ? `${ref.id}\u0000${ref.name}` : null);
const unpackSystem = (packed: string): SystemRef => {
  const cut = packed.indexOf('\u0000');
  return { id: packed.slice(0, cut), name: packed.slice(cut + 1) };
};

/** A batch still packed (from a worker), not yet rebuilt into entries. */
export function isPacked(batch: PreparedBatch | PackedBatch): batch is PackedBatch {
  return 'docEnds' in batch;
}

export function packBatch(batch: PreparedBatch): PackedBatch {
  const builder = new PackedBatchBuilder();
  for (const p of batch.entries) builder.push(p);
  return builder.finish(batch.tasks, batch.rejected);
}

/** Packs entries one at a time as they are prepared, so no batch of entry objects gathers. */
export class PackedBatchBuilder {
  private readonly strings = Object.fromEntries(
    STRING_FIELDS.map((f) => [f, [] as Array<string | null>]),
  ) as PackedBatch['strings'];
  private readonly sourceSystem: Array<string | null> = [];
  private readonly targetSystem: Array<string | null> = [];
  private readonly docs: string[] = [];
  private readonly docCounts: number[] = [];
  private readonly docEnds: number[] = [];
  private readonly identities: string[] = [];
  private open: string[] = [];
  private end = 0;

  /** Adds an entry (named as an array's push: prepare-records.ts fills either). */
  push({ head, doc, identity }: PreparedEntry): void {
    for (const f of STRING_FIELDS) this.strings[f].push((head[f] as string | undefined) ?? null);
    this.sourceSystem.push(packSystem(head.sourceSystem));
    this.targetSystem.push(packSystem(head.targetSystem));
    this.identities.push(identity);
    if (this.end && this.end + doc.length > DOC_CHARS_PER_STRING) this.seal();
    this.open.push(doc);
    this.end += doc.length;
    this.docEnds.push(this.end);
  }

  finish(tasks: PreparedBatch['tasks'], rejected: PreparedBatch['rejected']): PackedBatch {
    if (this.open.length) this.seal();
    return {
      tasks,
      rejected,
      strings: this.strings,
      sourceSystem: this.sourceSystem,
      targetSystem: this.targetSystem,
      docs: this.docs,
      docCounts: this.docCounts,
      docEnds: this.docEnds,
      identities: this.identities,
    };
  }

  private seal(): void {
    this.docs.push(this.open.join(''));
    this.docCounts.push(this.open.length);
    this.open = [];
    this.end = 0;
  }
}

export function unpackBatch(packed: PackedBatch): PreparedBatch {
  const s = packed.strings;
  const entries: PreparedEntry[] = [];
  let string = 0;
  let left = packed.docCounts[0] ?? 0;
  let start = 0;
  for (let i = 0; i < packed.docEnds.length; i++) {
    if (left === 0) {
      string++;
      left = packed.docCounts[string]!;
      start = 0;
    }
    left--;
    const head = {} as Record<string, unknown>;
    for (const f of STRING_FIELDS) {
      const v = s[f][i];
      if (v !== null && v !== undefined) head[f] = v;
      else if (f === 'taskId') head[f] = null;
    }
    const src = packed.sourceSystem[i];
    const tgt = packed.targetSystem[i];
    if (src) head.sourceSystem = unpackSystem(src);
    if (tgt) head.targetSystem = unpackSystem(tgt);
    const end = packed.docEnds[i]!;
    entries.push({
      head: head as unknown as EntryHead,
      doc: packed.docs[string]!.slice(start, end),
      identity: packed.identities[i]!,
    });
    start = end;
  }
  return { tasks: packed.tasks, entries, rejected: packed.rejected };
}
