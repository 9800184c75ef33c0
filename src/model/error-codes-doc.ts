import { ERROR_CODES } from './error-codes.ts';

/**
 * docs/error-codes.md, rendered from the catalog so the page cannot drift from the code
 * (a test compares the two; `scripts/gen-error-docs.ts` rewrites the page).
 */
export function renderErrorCodesMarkdown(): string {
  const rows = ERROR_CODES.map((info) =>
    row([
      `\`${info.code}\``,
      info.aliases.map((alias) => `\`${alias}\``).join(', '),
      info.transient ? 'yes' : 'no',
      info.description,
      info.recommendation,
    ]),
  );
  return [
    '# Provisioning error codes',
    '',
    'Every failed provisioning entry carries one of these codes in `errorCode`. Aliases are',
    'accepted anywhere a code is (case-insensitively) and stored as the code. A transient',
    "error is retried automatically according to the job's retry policy; a permanent one",
    'waits for a person.',
    '',
    'Generated from `src/model/error-codes.ts` by',
    '`node --import tsx scripts/gen-error-docs.ts > docs/error-codes.md`; do not edit by hand.',
    '',
    row(['code', 'aliases', 'transient', 'what it means', 'what to do']),
    row(['---', '---', '---', '---', '---']),
    ...rows,
    '',
  ].join('\n');
}

function row(cells: readonly string[]): string {
  // A pipe would end the cell early; the catalog has none today, but the page must not break.
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}
