/**
 * The tournament event publisher: what a platform imports to send contract events to the
 * integration's EventBridge bus.
 *
 * @example
 * import { TournamentEventPublisher } from 'tournament-profile-client/publisher';
 */

export { fullJitterDelay } from '../shared/backoff.ts';
export { DEFAULT_EVENT_SOURCE } from '../shared/contract/defaults.ts';
export {
  DETAIL_TYPES,
  type DetailInputOf,
  type DetailOf,
  type DetailType,
} from '../shared/contract/event-types.ts';
export { type JsonSchema, jsonSchemaOf } from '../shared/contract/json-schema.ts';
export { MAX_DETAIL_BYTES, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../shared/contract/limits.ts';
export { PUBLISH_FAILURES_METRIC } from '../shared/observability.ts';
export { isTransientError } from '../shared/transient-errors.ts';
export { entrySize, planRequests } from './batching.ts';
export { type PublishIssue, PublishValidationError } from './errors.ts';
export { type FailureMetricOptions, failureMetricLine } from './failure-metric.ts';
export { TournamentEventPublisher } from './publisher.ts';
export { isRetryableEntryError, RETRYABLE_ENTRY_ERRORS } from './retry.ts';
export type * from './types.ts';
