import { IntegrationError } from '../shared/errors.ts';

/** Errors of the read API that callers can fix: each becomes a 4xx answer. */

/** A feed cursor that this API did not issue, was altered, or belongs to another user or filter. */
export class InvalidCursorError extends IntegrationError {
  override readonly name = 'InvalidCursorError';
}
