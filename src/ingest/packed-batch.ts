import { HEAD_TEXT_FIELDS, type EntryHead, type PreparedEntry } from '../store/entry-codec.ts';
import type { PreparedBatch } from './prepare-records.ts';

type SystemRef = NonNullable<EntryHead['sourceSystem']>;

/**
 * A prepared batch laid out for a thread hand-off: one array per head field and every document
 * in one string. Structured clone copies arrays of strings and one long string far faster than
 * thousands of small objects — rebuilding the objects here costs a fifth of what cloning them
 * would cost the writer's thread.
 */
export interface PackedBatch {
  tasks: PreparedBatch['tasks'];
  rejected: PreparedBatch['rejected'];
  strings: Record<(typeof STRING_FIELDS)[number], Array<string | null>>;
  sourceSystem: Array<string | null>;
  targetSystem: Array<string | null>;
  docs: string;
  docEnds: number[];
  identities: string[];
}

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
  const strings = Object.fromEntries(STRING_FIELDS.map((f) => [f, [] as Array<string | null>]));
  const packed: PackedBatch = {
    tasks: batch.tasks,
    rejected: batch.rejected,
    strings: strings as PackedBatch['strings'],
    sourceSystem: [],
    targetSystem: [],
    docs: '',
    docEnds: [],
    identities: [],
  };
  const docs: string[] = [];
  let end = 0;
  for (const { head, doc, identity } of batch.entries) {
    for (const f of STRING_FIELDS) packed.strings[f].push((head[f] as string | undefined) ?? null);
    packed.sourceSystem.push(packSystem(head.sourceSystem));
    packed.targetSystem.push(packSystem(head.targetSystem));
    docs.push(doc);
    end += doc.length;
    packed.docEnds.push(end);
    packed.identities.push(identity);
  }
  packed.docs = docs.join('');
  return packed;
}

export function unpackBatch(packed: PackedBatch): PreparedBatch {
  const s = packed.strings;
  const entries: PreparedEntry[] = [];
  let start = 0;
  for (let i = 0; i < packed.docEnds.length; i++) {
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
      doc: packed.docs.slice(start, end),
      identity: packed.identities[i]!,
    });
    start = end;
  }
  return { tasks: packed.tasks, entries, rejected: packed.rejected };
}
