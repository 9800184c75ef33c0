import { Cron } from 'croner';

const CRON_NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DAYS = 'sun|mon|tue|wed|thu|fri|sat';
/** [name, min, max, extra tokens] per field, seconds first (the optional sixth field). */
const CRON_FIELDS: ReadonlyArray<[string, number, number, string]> = [
  ['second', 0, 59, ''],
  ['minute', 0, 59, ''],
  ['hour', 0, 23, ''],
  ['day of month', 1, 31, 'l|lw|\\d+w'],
  ['month', 1, 12, MONTHS],
  ['day of week', 0, 7, `${DAYS}|\\d+l|\\d+#[1-5]|l`],
];

/**
 * Why a cron expression is not valid, or undefined: 5 fields (minute first) or 6 (second
 * first), lists, ranges, steps, names, and the L/W/# forms. The field check words the problem
 * for a person; croner, which runs the schedules, must then accept it too.
 */
export function cronProblem(expr: string): string | undefined {
  const problem = fieldProblem(expr);
  if (problem) return problem;
  try {
    new Cron(expr, { paused: true }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

function fieldProblem(expr: string): string | undefined {
  const text = expr.trim().toLowerCase();
  if (CRON_NICKNAMES.includes(text)) return undefined;
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6)
    return `has ${parts.length} field(s); a cron expression has 5 or 6`;
  const fields = parts.length === 6 ? CRON_FIELDS : CRON_FIELDS.slice(1);
  for (const [i, part] of parts.entries()) {
    const [name, min, max, extra] = fields[i]!;
    const value = `(\\d+${extra ? `|${extra}` : ''})`;
    const item = new RegExp(`^(\\*|\\?|${value}(-${value})?)(/\\d+)?$`);
    for (const piece of part.split(',')) {
      if (!item.test(piece)) return `the ${name} field ${JSON.stringify(part)} is not valid`;
      const [range = '', step] = piece.split('/');
      if (step !== undefined && Number(step) < 1) return `the ${name} field has a step of 0`;
      // `5#3` is "the third Friday": only the part before # is a day.
      for (const n of range.split('#')[0]!.split('-')) {
        const num = /^\d+/.exec(n)?.[0];
        if (num !== undefined && (Number(num) < min || Number(num) > max))
          return `the ${name} field allows ${min}-${max}, not ${num}`;
      }
    }
  }
  return undefined;
}
