import { IntegrationError } from '../shared/errors.ts';

/** Errors of recording: each makes the event fail, so EventBridge and Lambda deliver it again. */

/** The feature flag could not be read and no earlier value is known: the event must be retried. */
export class FlagUnavailableError extends IntegrationError {
  override readonly name = 'FlagUnavailableError';
}

/**
 * The Parameters and Secrets extension answered something other than the parameter (SSM refused,
 * the token was missing, the parameter does not exist): the flag reader falls back or retries.
 */
export class ParametersExtensionError extends IntegrationError {
  override readonly name = 'ParametersExtensionError';
}
