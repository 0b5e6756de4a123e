import { IntegrationError } from '../shared/errors.ts';

/** Errors the read client throws into the platform's code. */

/**
 * The API refused or failed a request. `code` is the API's error code, or the gateway's message
 * for its own refusals (`Unauthorized`, `Forbidden`, `Too Many Requests`).
 */
export class ProfileApiError extends IntegrationError {
  override readonly name = 'ProfileApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}
