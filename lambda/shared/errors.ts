/**
 * Every error the integration raises on purpose, in one module. Each class spells its `name`, so
 * the logs of a minified bundle still say `TransientStoreError`, not a mangled class name; the
 * stack also bundles with `keepNames`. Plain data only: no SDK or Powertools types.
 */

/** Base class of the errors this project raises on purpose; `cause` keeps the original. */
export class IntegrationError extends Error {
  override readonly name: string = 'IntegrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A setting is missing or invalid: the deployment, the local stack or the CDK context is incomplete. */
export class ConfigurationError extends IntegrationError {
  override readonly name = 'ConfigurationError';
}

/**
 * The event breaks the contract. Retrying cannot help: it goes to the dead-letter store.
 * `reasons` are human-readable, one per problem, each naming the field.
 */
export class InvalidEventError extends IntegrationError {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid event: ${reasons.join('; ')}`, options);
  }
}

/** The feature flag could not be read and no earlier value is known: the event must be retried. */
export class FlagUnavailableError extends IntegrationError {
  override readonly name = 'FlagUnavailableError';
}

/** A storage call failed in a way that may pass (throttling, timeout, 5xx): the event must be retried. */
export class TransientStoreError extends IntegrationError {
  override readonly name = 'TransientStoreError';
}

/** A stored item is not a readable activity of either shape (a poison record for the projector). */
export class UnreadableItemError extends IntegrationError {
  override readonly name = 'UnreadableItemError';
}

/** A stream record that is not a readable activity insert (a poison record). */
export class UnreadableRecordError extends IntegrationError {
  override readonly name = 'UnreadableRecordError';
}

/** The statistics kept changing under the projector for longer than its retries. */
export class ProjectionConflictError extends IntegrationError {
  override readonly name = 'ProjectionConflictError';
}

/** Repair kept losing races with the projector for one user. */
export class RepairConflictError extends IntegrationError {
  override readonly name = 'RepairConflictError';
}

/**
 * The erasure log could not be read and no earlier set of erased users is known: the event (or
 * batch, or read) must be retried, never recorded for a user who may be erased.
 */
export class ErasureLogUnavailableError extends IntegrationError {
  override readonly name = 'ErasureLogUnavailableError';
}

/** A feed cursor that this API did not issue, was altered, or belongs to another user or filter. */
export class InvalidCursorError extends IntegrationError {
  override readonly name = 'InvalidCursorError';
}

/** The plan is unusable; the message lists every problem. */
export class RolloutPlanError extends IntegrationError {
  override readonly name = 'RolloutPlanError';
}

/** Another rollout runs: only one may move the flag at a time. */
export class RolloutConflictError extends IntegrationError {
  override readonly name = 'RolloutConflictError';
}

/** `flag restore` found no value a rollback saved. */
export class NothingToRestoreError extends IntegrationError {
  override readonly name = 'NothingToRestoreError';
}

/** An AWS call the rollout depends on failed; the message names the call and what to check. */
export class RolloutAwsError extends IntegrationError {
  override readonly name = 'RolloutAwsError';
}

/** One contract violation found before sending, naming the field. */
export interface PublishIssue {
  /** Position of the event in the `publishMany` input (0 for `publish`). */
  readonly index: number;
  readonly detailType: string;
  /** Dotted path of the field inside the detail, `""` for the detail as a whole. */
  readonly path: string;
  readonly message: string;
}

/**
 * An event breaks the contract, so nothing of the call was sent: the recording side would refuse
 * it into its dead-letter store. Fix the code that builds the detail; resending cannot help.
 * `cause` holds the zod error of the first invalid event, when there was one.
 */
export class PublishValidationError extends IntegrationError {
  override readonly name = 'PublishValidationError';
  constructor(
    readonly issues: readonly PublishIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `not published, the event breaks the tournament event contract: ${issues
        .map((i) => `#${i.index} ${i.detailType} ${i.path ? `detail.${i.path}` : 'detail'}: ${i.message}`)
        .join('; ')}`,
      options,
    );
  }
}

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

// The local stack's errors: it refuses the way AWS refuses, so its refusals are errors of their own.

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

// The `tpi` command line's errors.

/** The command line is wrong: exit code 2 with usage. */
export class UsageError extends IntegrationError {
  override readonly name = 'UsageError';
}

/** The CLI cannot reach what it was pointed at; the message says how to fix that. */
export class TargetError extends IntegrationError {
  override readonly name = 'TargetError';
}

/** The rollout could not be started, read or stopped; the message says why and what to do. */
export class RolloutError extends IntegrationError {
  override readonly name = 'RolloutError';
}
