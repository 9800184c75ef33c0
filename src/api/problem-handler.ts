import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FilterError } from '../query/entry-filter.ts';
import { CursorError } from '../query/cursor.ts';
import { ApiError } from './api-errors.ts';
import { DirectoryError } from '../store/directory/directory-errors.ts';
import { ConfigError } from '../store/config/config-store.ts';
import type { FieldError } from '../model/validation-error.ts';

/** Maps every library and domain error to problem+json at the boundary; nothing raw leaks out. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof FilterError)
    return new ApiError('invalid_query', error.message, error.errors);
  if (error instanceof DirectoryError) {
    const code = (
      {
        not_found: 'hub_object_not_found',
        conflict: 'conflict',
        invalid: 'invalid_body',
        version_mismatch: 'version_mismatch',
      } as const
    )[error.kind];
    return new ApiError(code, error.message, error.errors.length ? error.errors : undefined);
  }
  if (error instanceof ConfigError) {
    const code =
      error.kind === 'not_found'
        ? error.entity === 'system'
          ? 'system_not_found'
          : 'job_not_found'
        : error.kind === 'conflict'
          ? 'conflict'
          : 'invalid_body';
    return new ApiError(code, error.message, error.errors.length ? error.errors : undefined);
  }
  if (error instanceof CursorError)
    return new ApiError('invalid_cursor', error.message, [
      { field: 'cursor', message: error.message },
    ]);
  const e = error as FastifyError;
  if (e.validation) {
    const where = e.validationContext === 'querystring' ? 'invalid_query' : 'invalid_body';
    const errors: FieldError[] = e.validation.map((v) => {
      const params = v.params as Record<string, unknown>;
      if (v.keyword === 'additionalProperties') {
        return {
          field: String(params.additionalProperty),
          message: where === 'invalid_query' ? 'is not a known parameter' : 'is not a known field',
        };
      }
      const field =
        v.instancePath.replace(/^\//, '') ||
        (typeof params.missingProperty === 'string' ? params.missingProperty : '/');
      return { field, message: v.message ?? 'is invalid' };
    });
    return new ApiError(where, errors.map((x) => `${x.field}: ${x.message}`).join('; '), errors);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('body_too_large', e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        'unsupported_media_type',
        'Send application/json or application/x-ndjson',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_body', 'The body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('malformed_json', e.message);
  }
  if (error instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new ApiError('malformed_json', (error as Error).message);
  }
  if (e.statusCode === 404) return new ApiError('not_found', e.message);
  return new ApiError('internal', 'An internal error occurred; it has been logged');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(apiError.status)
      .type('application/problem+json')
      .send(apiError.toProblem(request.url.split('?')[0]));
  });
  app.setNotFoundHandler((request, reply) => {
    const apiError = new ApiError(
      'not_found',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    );
    void reply
      .code(404)
      .type('application/problem+json')
      .send(apiError.toProblem(request.url.split('?')[0]));
  });
}
