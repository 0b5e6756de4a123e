/**
 * The errors every part of the integration builds on, and the ones several features raise. Each
 * class spells its `name`, so the logs of a minified bundle still say `TransientStoreError`, not a
 * mangled class name; the stack also bundles with `keepNames`. Plain data only: no SDK or
 * Powertools types. A feature's own errors live in its folder (`lambda/<feature>/errors.ts`), the
 * local stack's in `local/errors.ts`, the CLI's in `bin/cli/errors.ts`, all on this base.
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

/** A storage call failed in a way that may pass (throttling, timeout, 5xx): the event must be retried. */
export class TransientStoreError extends IntegrationError {
  override readonly name = 'TransientStoreError';
}

/** A stored item is not a readable activity of either shape (a poison record for the projector). */
export class UnreadableItemError extends IntegrationError {
  override readonly name = 'UnreadableItemError';
}

/**
 * The erasure log could not be read and no earlier set of erased users is known: the event (or
 * batch, or read) must be retried, never recorded for a user who may be erased.
 */
export class ErasureLogUnavailableError extends IntegrationError {
  override readonly name = 'ErasureLogUnavailableError';
}
