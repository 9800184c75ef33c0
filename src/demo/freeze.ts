export function frozen<T extends object>(o: T): T {
  return Object.freeze(o);
}

/** Freezes a cached JSON-like value all the way down: entries share it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
