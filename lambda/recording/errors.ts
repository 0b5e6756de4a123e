import { IntegrationError } from '../shared/errors.ts';

/** Errors of recording: each makes the event fail, so EventBridge and Lambda deliver it again. */

/** The feature flag could not be read and no earlier value is known: the event must be retried. */
export class FlagUnavailableError extends IntegrationError {
  override readonly name = 'FlagUnavailableError';
}
