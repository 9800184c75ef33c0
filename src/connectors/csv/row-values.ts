/**
 * A CSV row as column → value (`fields` from `offset`, one per column), built by assignment so
 * that every row of a file shares one object shape (fast to read); a column named "__proto__"
 * is defined as an own property, a column. Rows read on this thread (csv-source.ts) and rows
 * sent from the reading thread (packed-rows.ts) are built alike.
 */
export function rowValues(headers: string[], fields: string[], offset = 0): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]!;
    const value = fields[offset + i] ?? '';
    if (name === '__proto__')
      Object.defineProperty(values, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else values[name] = value;
  }
  return values;
}
