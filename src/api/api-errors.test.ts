import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, ApiError } from './api-errors.ts';

describe('API error catalog', () => {
  it('is documented code by code with its HTTP status', () => {
    const doc = readFileSync(new URL('../../docs/api-errors.md', import.meta.url), 'utf8');
    for (const [code, { status }] of Object.entries(API_ERRORS)) {
      expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
    }
  });

  it('renders problem+json with type, title, status, code and field errors', () => {
    const problem = new ApiError('invalid_query', 'bad', [
      { field: 'status', message: 'unknown' },
    ]).toProblem('/api/v1/entries');
    expect(problem).toEqual({
      type: 'https://provlog.dev/problems/invalid-query',
      title: 'Invalid query parameters',
      status: 400,
      code: 'invalid_query',
      detail: 'bad',
      instance: '/api/v1/entries',
      errors: [{ field: 'status', message: 'unknown' }],
    });
  });
});
