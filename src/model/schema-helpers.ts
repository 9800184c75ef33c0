import { Kind, Type, TypeRegistry, type TSchema, type TUnsafe } from '@sinclair/typebox';

// TypeBox's documented way to a plain JSON-Schema `enum`: a custom kind the compiler can check.
if (!TypeRegistry.Has('StringEnum')) {
  TypeRegistry.Set<{ enum: string[] }>(
    'StringEnum',
    (schema, value) => typeof value === 'string' && schema.enum.includes(value),
  );
}

/** A string enum as a JSON-Schema `enum` (readable errors, clean OpenAPI). */
export function StringEnum<T extends readonly string[]>(
  values: T,
  description?: string,
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({
    [Kind]: 'StringEnum',
    type: 'string',
    enum: [...values],
    ...(description ? { description } : {}),
  });
}

/** An ISO 8601 date-time with an explicit offset (Z or ±hh:mm). */
export const IsoDateTime = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: 'ISO 8601 date-time, e.g. 2026-11-23T09:30:00Z',
});

/** Identifiers: printable, no control characters, bounded. */
export const Id = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});

export const Name = Type.String({ minLength: 1, maxLength: 500 });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
