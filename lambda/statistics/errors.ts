import { IntegrationError } from '../shared/errors.ts';

/** Errors of the statistics projector: each fails the records it concerns, which the stream delivers again. */

/** A stream record that is not a readable activity insert (a poison record). */
export class UnreadableRecordError extends IntegrationError {
  override readonly name = 'UnreadableRecordError';
}

/** The statistics kept changing under the projector for longer than its retries. */
export class ProjectionConflictError extends IntegrationError {
  override readonly name = 'ProjectionConflictError';
}
