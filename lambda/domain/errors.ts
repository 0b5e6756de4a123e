/** Base class of the errors this project raises on purpose; `cause` keeps the original. */
export class IntegrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The event breaks the contract. Retrying cannot help: it goes to the dead-letter store.
 * `reasons` are human-readable, one per problem, each naming the field.
 */
export class InvalidEventError extends IntegrationError {
  constructor(
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid event: ${reasons.join('; ')}`, options);
  }
}

/** The feature flag could not be read and no earlier value is known: the event must be retried. */
export class FlagUnavailableError extends IntegrationError {}

/** A storage call failed in a way that may pass (throttling, timeout, 5xx): the event must be retried. */
export class TransientStoreError extends IntegrationError {}

/** A stored item is not a readable activity of either shape (a poison record for the projector). */
export class UnreadableItemError extends IntegrationError {}
