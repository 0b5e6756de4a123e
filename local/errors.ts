import { IntegrationError } from '../lambda/shared/errors.ts';

/** The local stack's errors: it refuses the way AWS refuses, so its refusals are errors of their own. */

/** Java or the DynamoDB Local jar is missing, or the engine did not start. */
export class DynamoDbLocalError extends IntegrationError {
  override readonly name = 'DynamoDbLocalError';
}

/** The local endpoint could not start (port taken, ...). */
export class LocalEndpointError extends IntegrationError {
  override readonly name = 'LocalEndpointError';
}

/** The stack could not start: the message says what to change. */
export class LocalStackError extends IntegrationError {
  override readonly name = 'LocalStackError';
}

/** A token the authorizer refuses; `description` goes into `www-authenticate` as API Gateway does. */
export class JwtRejectedError extends IntegrationError {
  override readonly name = 'JwtRejectedError';
}

/** An invocation outlived its timeout: like Lambda, it may not touch DynamoDB any more. */
export class InvocationTimedOutError extends IntegrationError {
  override readonly name = 'InvocationTimedOutError';
}

/**
 * An error answered the way AWS answers it: HTTP status plus `{"__type", "message"}`, which the SDK
 * turns into an exception of that name. The name is the AWS exception's (`type`, e.g.
 * `ResourceNotFoundException`), so the local stack's logs read like the service's.
 */
export class AwsServiceError extends IntegrationError {
  override readonly name: string;
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}
