import type { FieldError } from '../../model/validation-error.ts';

/** Expected outcomes of directory writes that the caller must handle (mapped to HTTP by the API). */
export class DirectoryError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid' | 'version_mismatch',
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}
