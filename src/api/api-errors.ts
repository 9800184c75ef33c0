import type { FieldError } from '../model/validation-error.ts';

/**
 * Every error the HTTP API answers with: stable code, HTTP status, title.
 * Rendered as RFC 9457 problem+json; documented in docs/api-errors.md.
 */
export const API_ERRORS = {
  invalid_query: { status: 400, title: 'Invalid query parameters' },
  invalid_cursor: { status: 400, title: 'Invalid cursor' },
  invalid_body: { status: 400, title: 'Invalid request body' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Authentication required' },
  not_found: { status: 404, title: 'Not found' },
  entry_not_found: { status: 404, title: 'Entry not found' },
  task_not_found: { status: 404, title: 'Task not found' },
  hub_object_not_found: { status: 404, title: 'Directory object not found' },
  system_not_found: { status: 404, title: 'System not found' },
  job_not_found: { status: 404, title: 'Job not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  version_mismatch: { status: 412, title: 'Version mismatch' },
  body_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  store_unavailable: { status: 503, title: 'Log store unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ApiErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? API_ERRORS[code].title);
    this.status = API_ERRORS[code].status;
  }

  toProblem(instance?: string): Problem {
    return {
      type: `https://provlog.dev/problems/${this.code.replaceAll('_', '-')}`,
      title: API_ERRORS[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}
