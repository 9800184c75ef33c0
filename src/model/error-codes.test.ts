import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorCodesMarkdown } from './error-codes-doc.ts';
import { ERROR_CODES, errorCategory, isKnownErrorCode, lookupErrorCode } from './error-codes.ts';

/** The error table of the Entra ID seed, kept in the repository so a clone anywhere can read it. */
const ENTRA_TABLE = new URL('../../test/fixtures/entra-error-table.txt', import.meta.url);
/** The seed itself, beside the project where the team keeps it. */
const ENTRA_SEED = new URL('../../../shared/seeds/002_0fc0010345ba7ca9.txt', import.meta.url);
const tableOf = (text: string) => {
  const start = text.indexOf('Error code Description');
  return text.slice(start, text.indexOf('Next steps', start));
};
const DOC = new URL('../../docs/error-codes.md', import.meta.url);

/**
 * The codes in the left column of the seed's "Error codes" table. The text is a flattened
 * HTML table: a row is either `Code Sentence…` on one line, or a run of code lines
 * (`Conflict,` / `EntryConflict`) followed by the description. In a run, a comma ends a
 * code and a line without one continues into the next (the SCIM codes are broken in two).
 * A description's later paragraph has a lowercase second word, which keeps it out.
 */
function entraSeedCodes(): string[] {
  const text = readFileSync(ENTRA_TABLE, 'utf8');
  const start = text.indexOf('Error code Description');
  const end = text.indexOf('Next steps', start);
  expect(start, 'error table header in the seed').toBeGreaterThan(-1);
  const codes: string[] = [];
  let inCodeRun = false;
  let current = '';
  for (const raw of text.slice(start, end).split('\n').slice(1)) {
    const line = raw.trim();
    const codeLine = /^([A-Za-z]+)(,?)$/.exec(line);
    if (codeLine) {
      inCodeRun = true;
      current += codeLine[1];
      if (codeLine[2]) {
        codes.push(current);
        current = '';
      }
    } else if (inCodeRun) {
      // This line is the description of the run above; the last code had no comma.
      if (current) codes.push(current);
      current = '';
      inCodeRun = false;
    } else {
      const codeAndSentence = /^([A-Za-z]+) [A-Z]/.exec(line);
      if (codeAndSentence?.[1]) codes.push(codeAndSentence[1]);
    }
  }
  return codes;
}

describe('error catalog', () => {
  it('keeps the Entra ID error table as the seed has it', () => {
    const table = tableOf(readFileSync(ENTRA_TABLE, 'utf8'));
    expect(table.length).toBeGreaterThan(1000);
    // Where the seed is at hand (the team's checkout, CI), the copy must not have drifted.
    if (existsSync(ENTRA_SEED)) expect(table).toBe(tableOf(readFileSync(ENTRA_SEED, 'utf8')));
  });

  it('holds every code of the Entra ID table in the seed', () => {
    const codes = entraSeedCodes();
    // 21 rows, 26 codes: guards the parser as much as the catalog.
    expect(codes).toHaveLength(26);
    expect(codes).toContain('SystemForCrossDomainIdentityManagementMultipleEntriesInResponse');
    expect(codes).toContain('SystemForCrossDomainIdentityManagementServiceIncompatible');
    expect(codes.filter((code) => !isKnownErrorCode(code))).toEqual([]);
    for (const code of codes) expect(lookupErrorCode(code), code).toBeDefined();
  });

  it('resolves aliases to their code, case-insensitively', () => {
    expect(lookupErrorCode('Conflict')?.code).toBe('EntryConflict');
    expect(lookupErrorCode('conflict')?.code).toBe('EntryConflict');
    expect(lookupErrorCode('MISSINGVALUES')?.code).toBe('MandatoryFieldsMissing');
    expect(lookupErrorCode('scimuniqueness')?.code).toBe('EntryConflict');
    expect(lookupErrorCode('badGateway')?.code).toBe('InternalServerError');
    expect(lookupErrorCode('timeout')?.code).toBe('Timeout');
    for (const info of ERROR_CODES) {
      for (const alias of info.aliases) {
        expect(lookupErrorCode(alias.toUpperCase())?.code).toBe(info.code);
      }
    }
  });

  it('keeps Unauthorized and its Entra synonyms as codes of their own with one text', () => {
    const group = ['Unauthorized', 'InsufficientRights', 'MethodNotAllowed', 'NotPermitted'];
    const infos = group.map((code) => lookupErrorCode(code));
    expect(infos.map((info) => info?.code)).toEqual(group);
    expect(new Set(infos.map((info) => info?.description)).size).toBe(1);
  });

  it('has unique codes and aliases, case-insensitively', () => {
    const names = ERROR_CODES.flatMap((info) => [info.code, ...info.aliases]);
    const lower = names.map((name) => name.toLowerCase());
    expect(new Set(lower).size).toBe(lower.length);
  });

  it("says what each code means and what to do, in provlog's voice", () => {
    for (const info of ERROR_CODES) {
      expect(info.title.trim(), info.code).not.toBe('');
      expect(info.description.trim(), info.code).not.toBe('');
      expect(info.recommendation.trim(), info.code).not.toBe('');
      const text = `${info.description} ${info.recommendation}`;
      expect(text, info.code).not.toMatch(/Azure AD|Microsoft|40 minutes/);
    }
  });

  it('marks exactly the retryable codes transient', () => {
    const transient = ERROR_CODES.filter((info) => info.transient).map((info) => info.code);
    expect(transient.sort()).toEqual(
      [
        'GroupMemberNotProvisioned',
        'InternalError',
        'InternalServerError',
        'LdapTimeout',
        'LdapUnreachable',
        'ServiceUnavailable',
        'Timeout',
        'TooManyRequests',
        'WebExceptionProtocolError',
      ].sort(),
    );
    expect(errorCategory('tooManyRequests')).toBe('transient');
    expect(errorCategory('GatewayTimeout')).toBe('transient');
    expect(errorCategory('EntryConflict')).toBe('permanent');
    expect(errorCategory('RetriesExhausted')).toBe('permanent');
  });

  it('knows nothing of unknown codes', () => {
    for (const code of [
      '',
      'NoSuchCode',
      'constructor',
      'toString',
      '__proto__',
      'Entry Conflict',
    ]) {
      expect(lookupErrorCode(code), code).toBeUndefined();
      expect(isKnownErrorCode(code), code).toBe(false);
      expect(errorCategory(code), code).toBeUndefined();
    }
  });

  it('cannot be changed at run time', () => {
    const first = ERROR_CODES[0];
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
    expect(first && Object.isFrozen(first)).toBe(true);
    expect(first && Object.isFrozen(first.aliases)).toBe(true);
  });
});

describe('docs/error-codes.md', () => {
  it('is what scripts/gen-error-docs.ts prints (regenerate it after changing the catalog)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(renderErrorCodesMarkdown());
  });

  it('lists every code', () => {
    const doc = renderErrorCodesMarkdown();
    for (const info of ERROR_CODES) expect(doc).toContain(`| \`${info.code}\` |`);
  });
});
