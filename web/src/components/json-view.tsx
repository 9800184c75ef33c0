/** A readable JSON view: indented, keys and strings coloured, long bodies scroll. */
export function JsonView({ value }: { value: unknown }) {
  if (value === undefined || value === null) return <p className="muted">Nothing recorded.</p>;
  const text = typeof value === 'string' ? tryPretty(value) : JSON.stringify(value, null, 2);
  return <pre className="json">{text}</pre>;
}

function tryPretty(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}
