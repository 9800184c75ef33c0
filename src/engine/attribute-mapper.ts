import type { AttributeMapping } from '../model/job.ts';
import {
  attributesOf,
  ExpressionError,
  parseExpression,
  evaluate,
  type Expr,
} from './expression.ts';

export type MapOutcome =
  | { outcome: 'mapped'; attributes: Record<string, string> }
  | { outcome: 'missing'; missing: string[] };

/** Mappings compiled once per cycle; `check` reports names the source does not have. */
export class AttributeMapper {
  private readonly compiled: Array<{ mapping: AttributeMapping; expr?: Expr }>;

  constructor(readonly mappings: AttributeMapping[]) {
    this.compiled = mappings.map((mapping, index) => {
      try {
        return {
          mapping,
          ...(mapping.expression ? { expr: parseExpression(mapping.expression) } : {}),
        };
      } catch (err) {
        throw new ExpressionError(
          `mappings[${index}] (${mapping.target}): ${(err as Error).message}`,
        );
      }
    });
  }

  /** Source attributes the mappings read (to ask a directory for them by name). */
  sourceAttributes(): string[] {
    const used = this.compiled.flatMap(({ mapping, expr }) =>
      mapping.source ? [mapping.source] : expr ? attributesOf(expr) : [],
    );
    return [...new Set(used)];
  }

  /** Source attributes the mappings read that the source does not have. */
  unknownAttributes(sourceAttributes: readonly string[]): string[] {
    const known = new Set(sourceAttributes);
    return this.sourceAttributes().filter((a) => !known.has(a));
  }

  map(record: Record<string, string | undefined>): MapOutcome {
    const attributes: Record<string, string> = {};
    const missing: string[] = [];
    for (const { mapping, expr } of this.compiled) {
      const value =
        mapping.constant !== undefined
          ? mapping.constant
          : mapping.source
            ? record[mapping.source]
            : expr
              ? evaluate(expr, record)
              : undefined;
      if (value === undefined || value === '') {
        if (mapping.required) missing.push(mapping.target);
        continue;
      }
      attributes[mapping.target] = value;
    }
    return missing.length ? { outcome: 'missing', missing } : { outcome: 'mapped', attributes };
  }
}
