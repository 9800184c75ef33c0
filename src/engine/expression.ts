/**
 * The small expression language of attribute mappings:
 *   lower(firstName) + "." + lower(lastName) + "@example.com"
 *   coalesce(preferredName, firstName)   trim(x)   upper(x)   left(x, 3)
 * Attributes are source column names; strings are double-quoted ("" or \" escapes a quote).
 */
export type Expr =
  | { kind: 'attr'; name: string }
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'concat'; parts: Expr[] };

export class ExpressionError extends Error {}

const FUNCTIONS: Record<
  string,
  { arity: [number, number]; apply: (args: Array<string | undefined>) => string | undefined }
> = {
  lower: { arity: [1, 1], apply: ([a]) => a?.toLowerCase() },
  upper: { arity: [1, 1], apply: ([a]) => a?.toUpperCase() },
  trim: { arity: [1, 1], apply: ([a]) => a?.trim() },
  left: { arity: [2, 2], apply: ([a, n]) => a?.slice(0, Number(n)) },
  coalesce: { arity: [1, 10], apply: (args) => args.find((a) => a !== undefined && a !== '') },
  replace: {
    arity: [3, 3],
    apply: ([a, from, to]) => (a === undefined ? a : a.split(from ?? '').join(to ?? '')),
  },
};

export function parseExpression(src: string): Expr {
  let i = 0;
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new ExpressionError(`${msg} at position ${i + 1} of ${JSON.stringify(src)}`);
  };
  const term = (): Expr => {
    ws();
    const c = src[i];
    if (c === '"') {
      let value = '';
      i++;
      while (i < src.length) {
        if (src[i] === '\\' && i + 1 < src.length) {
          value += src[i + 1];
          i += 2;
        } else if (src[i] === '"' && src[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (src[i] === '"') break;
        else value += src[i++];
      }
      if (src[i] !== '"') fail('unclosed string');
      i++;
      return { kind: 'str', value };
    }
    const num = /^\d+/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'num', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][\w.-]*/.exec(src.slice(i));
    if (!ident) return fail('expected an attribute, a "string" or a function');
    i += ident[0].length;
    ws();
    if (src[i] !== '(') return { kind: 'attr', name: ident![0] };
    const fn = ident![0].toLowerCase();
    const spec = FUNCTIONS[fn];
    if (!spec) fail(`unknown function ${ident![0]}`);
    i++;
    const args: Expr[] = [];
    ws();
    if (src[i] !== ')') {
      for (;;) {
        args.push(concat());
        ws();
        if (src[i] === ',') i++;
        else break;
      }
    }
    ws();
    if (src[i] !== ')') fail('expected )');
    i++;
    if (args.length < spec!.arity[0] || args.length > spec!.arity[1])
      fail(`${fn} takes ${spec!.arity.join(' to ')} arguments`);
    return { kind: 'call', fn, args };
  };
  const concat = (): Expr => {
    const parts = [term()];
    ws();
    while (src[i] === '+') {
      i++;
      parts.push(term());
      ws();
    }
    return parts.length === 1 ? parts[0]! : { kind: 'concat', parts };
  };
  const expr = concat();
  ws();
  if (i < src.length) fail('unexpected text');
  return expr;
}

/** Attribute names an expression reads (checked against the source's columns before a run). */
export function attributesOf(e: Expr): string[] {
  switch (e.kind) {
    case 'attr':
      return [e.name];
    case 'str':
    case 'num':
      return [];
    case 'call':
      return e.args.flatMap(attributesOf);
    case 'concat':
      return e.parts.flatMap(attributesOf);
  }
}

/** Evaluates against a record; a missing attribute is undefined, and concatenation treats it as empty. */
export function evaluate(e: Expr, record: Record<string, string | undefined>): string | undefined {
  switch (e.kind) {
    case 'attr':
      return record[e.name];
    case 'str':
      return e.value;
    case 'num':
      return String(e.value);
    case 'call':
      return FUNCTIONS[e.fn]!.apply(e.args.map((a) => evaluate(a, record)));
    case 'concat':
      return e.parts.map((p) => evaluate(p, record) ?? '').join('');
  }
}
