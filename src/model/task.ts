import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS, SOURCES, TRIGGER_METHODS, TRIGGER_MODULES } from './enums.ts';
import type { ObjectType, TaskStatus } from './enums.ts';
import { Id, IsoDateTime, Name, Nullable, StringEnum } from './schema-helpers.ts';

const count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
export const UntracedCounts = Type.Object(
  {
    created: Type.Optional(count),
    updated: Type.Optional(count),
    deleted: Type.Optional(count),
    disabled: Type.Optional(count),
    skipped: Type.Optional(count),
    /** Other successful actions (enable, move…): processed, in no narrower count. */
    other: Type.Optional(count),
  },
  { additionalProperties: false },
);
export type UntracedCounts = Static<typeof UntracedCounts>;

/** A task as an engine reports it; its status and counts are derived from its entries. */
export const TaskInput = Type.Object(
  {
    id: Id,
    jobId: Type.Optional(Id),
    cycleId: Type.Optional(Id),
    parentTaskId: Type.Optional(Nullable(Id)),
    direction: StringEnum(DIRECTIONS),
    triggerModule: StringEnum(TRIGGER_MODULES),
    triggerModuleName: Name,
    triggerMethod: StringEnum(TRIGGER_METHODS),
    source: Type.Optional(StringEnum(SOURCES)),
    startedAt: IsoDateTime,
    endedAt: Type.Optional(Nullable(IsoDateTime)),
    /** Only `initial` may be stated: a task that could not start. Every other status is derived. */
    status: Type.Optional(Type.Literal('initial')),
    parameters: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown())),
    event: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,99}$' })),
    /** A task-level failure (file unreadable, bind refused): the task failed as a whole. */
    errorCode: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,99}$' })),
    reason: Type.Optional(Type.String({ maxLength: 8000 })),
    /**
     * Objects the task processed whose entries were not kept (a system's trace level of
     * `changes` or `failures` drops routine outcomes). They count in the task's counts all
     * the same; sending the task again with new figures replaces the old ones.
     */
    untraced: Type.Optional(UntracedCounts),
  },
  { additionalProperties: false },
);
export type TaskInput = Static<typeof TaskInput>;

export interface TaskCounts {
  processed: number;
  created: number;
  updated: number;
  deleted: number;
  disabled: number;
  skipped: number;
  failed: number;
  /** Failures later resolved by a successful retry or a confirmation. */
  resolved: number;
  pending: number;
  failedByType: Partial<Record<ObjectType, number>>;
}

export interface Task extends Omit<TaskInput, 'status' | 'endedAt' | 'parentTaskId'> {
  parentTaskId: string | null;
  endedAt: string | null;
  status: TaskStatus;
  statusDescription: string;
  counts: TaskCounts;
}
