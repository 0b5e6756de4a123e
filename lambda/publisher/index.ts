/**
 * The tournament event publisher: what a platform imports to send contract events to the
 * integration's EventBridge bus.
 *
 * @example
 * import { TournamentEventPublisher } from 'tournament-profile-integration/publisher';
 */

export {
  DETAIL_TYPES,
  type DetailInputOf,
  type DetailOf,
  type DetailType,
} from '../shared/contract/event-types.ts';
export { DEFAULT_EVENT_SOURCE, MAX_DETAIL_BYTES } from '../shared/contract/events.ts';
export { type JsonSchema, jsonSchemaOf } from '../shared/contract/json-schema.ts';
export { type PublishIssue, PublishValidationError } from '../shared/errors.ts';
export { entrySize, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES, planRequests } from './batching.ts';
export { type FailureMetricOptions, failureMetricLine, PUBLISH_FAILURES_METRIC } from './failure-metric.ts';
export { TournamentEventPublisher } from './publisher.ts';
export { fullJitterDelay, isRetryableEntryError, isTransientError, RETRYABLE_ENTRY_ERRORS } from './retry.ts';
export type * from './types.ts';
