import { Type } from '@sinclair/typebox';
import { EntryInput } from '../model/entry.ts';
import { TASK_STATUSES } from '../model/enums.ts';
import { TaskInput } from '../model/task.ts';
import { StringEnum } from '../model/schema-helpers.ts';

/** Response shapes, declared for the OpenAPI document (and fast serialisation). */
const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

const { taskId: _taskId, ...entryProps } = EntryInput.properties;
export const EntrySchema = Type.Object(
  {
    ...entryProps,
    taskId: Type.Union([Type.String(), Type.Null()]),
    operationId: Type.String(),
    resolvedBy: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    state: Type.Optional(StringEnum(['retrying', 'resolved'] as const)),
  },
  { additionalProperties: false },
);

export const RelatedAttemptSchema = Type.Object({
  changeId: Type.String(),
  time: Type.String(),
  status: Type.String(),
  action: Type.String(),
  attempt: Type.Optional(Type.Integer()),
  errorCode: Type.Optional(Type.String()),
  taskId: Type.Union([Type.String(), Type.Null()]),
});

export const EntryDetailSchema = Type.Object(
  { ...EntrySchema.properties, relatedAttempts: Type.Array(RelatedAttemptSchema) },
  { additionalProperties: false },
);

const count = Type.Integer({ minimum: 0 });
export const TaskCountsSchema = Type.Object({
  processed: count,
  created: count,
  updated: count,
  deleted: count,
  disabled: count,
  skipped: count,
  failed: count,
  resolved: count,
  pending: count,
  failedByType: Type.Record(Type.String(), count),
});

const {
  status: _status,
  endedAt: _endedAt,
  parentTaskId: _parent,
  ...taskProps
} = TaskInput.properties;
export const TaskSchema = Type.Object(
  {
    ...taskProps,
    parentTaskId: Type.Union([Type.String(), Type.Null()]),
    endedAt: Type.Union([Type.String(), Type.Null()]),
    status: StringEnum(TASK_STATUSES),
    statusDescription: Type.String(),
    counts: TaskCountsSchema,
  },
  { additionalProperties: false },
);

export const pageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const IngestResultSchema = Type.Object({
  accepted: count,
  duplicates: count,
  rejected: Type.Array(
    Type.Object({
      index: count,
      kind: Type.Optional(StringEnum(['task', 'entry'] as const)),
      line: Type.Optional(count),
      changeId: Type.Optional(Type.String()),
      errors: Type.Array(FieldErrorSchema),
    }),
  ),
});

export const problemResponses = {
  400: ProblemSchema,
  404: ProblemSchema,
};
