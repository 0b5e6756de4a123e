/**
 * Every limit of the integration, in one place: the contract's (detail size and depth, users per
 * event, instants), the read API's (page sizes, batch reads), the dead-letter store's, and the AWS
 * limits the integration sizes its requests by (PutEvents, DynamoDB batches and transactions). The
 * publisher, the recorder, the read API, the JSON Schemas' descriptions, the local stack, the CLI
 * and the docs all read them from here.
 */

/**
 * Largest accepted detail, as UTF-8 JSON: the contract's one size limit. Activities do not store
 * the detail, so recording does not depend on it; it bounds the places a whole event lands: a dead
 * letter (one DynamoDB item, at most 400 KB), and the rule's SQS dead-letter queue and the
 * function's on-failure queue, whose messages are at most 256 KiB by default, with the event's
 * envelope around the detail. EventBridge entries and asynchronous Lambda invocations take 1 MB.
 * The largest contract detail (1,000 participants and 1,000 winners, 64-character ids) is about
 * 135 KB: the rest is room for extra fields.
 */
export const MAX_DETAIL_BYTES = 240_000;

/**
 * Room for an event's envelope (id, source, detail-type, time, resources, replay name) around a
 * detail of {@link MAX_DETAIL_BYTES}: an event of a detail within the limit is kept whole in a dead
 * letter, so it can always be redriven.
 */
export const MAX_ENVELOPE_BYTES = 16_000;

/** Largest original event kept whole in a dead letter; a larger one keeps its envelope and a note. */
export const MAX_STORED_EVENT_BYTES = MAX_DETAIL_BYTES + MAX_ENVELOPE_BYTES;

/**
 * Most reasons a dead letter lists (the rest are counted): an event naming 1,000 invalid ids has
 * 1,000 reasons, which next to a large event would not fit in one DynamoDB item.
 */
export const MAX_DEAD_LETTER_REASONS = 20;

/** Longest reason kept in a dead letter, in characters (a reason quotes the offending value). */
export const MAX_REASON_CHARS = 500;

/**
 * Deepest accepted nesting of the detail: the contract's depth limit (docs/contract.md), checked by
 * the publisher and the recorder alike. Real payloads are a few levels deep; thousands of levels
 * would overflow the stack while validating and hashing, and the event would be retried in vain.
 */
export const MAX_DETAIL_DEPTH = 100;

/** Largest number of users one event may name (a large tournament). */
export const MAX_USERS_PER_EVENT = 1000;

/** Earliest and latest UTC years an instant may fall in (a fixed-width year keeps string order = time order). */
export const MIN_UTC_YEAR = 0;
export const MAX_UTC_YEAR = 9999;

// The read API's limits.

/** Most users one batch read of the profile API may name (one `BatchGetItem`). */
export const MAX_BATCH_USERS = 100;

/** Feed page size when `limit` is absent. */
export const DEFAULT_FEED_LIMIT = 20;

/** Largest feed page. */
export const MAX_FEED_LIMIT = 100;

/** Largest feed page an in-process reader asks for (the CLI, the demo): no gateway stands between. */
export const MAX_READER_FEED_LIMIT = 1000;

/** How many of a user's latest match outcomes `recentResults` holds: the contract's "last 5". */
export const RECENT_RESULTS_SIZE = 5;

// Limits of the AWS calls the integration sizes its requests by.

/** Most entries one PutEvents request may carry. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * Largest entry, and largest sum of entries in one request, in bytes as EventBridge counts them
 * (`entrySize` of the publisher). The entry limit was 256 KB until January 2026 and is 1 MB since; keeping the
 * whole request under it too means no request is refused for its total size.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Deepest nesting of a Detail that PutEvents processes ("PutEvents will only process nested JSON up
 * to 1100 levels deep", PutEvents API reference). Deeper entries fail alone, so they never reach the
 * archive or a handler whose recursion they could overflow. Not the contract's limit
 * ({@link MAX_DETAIL_DEPTH}): a detail between the two is delivered, and recording refuses it.
 */
export const PUT_EVENTS_MAX_DETAIL_DEPTH = 1100;

/** Keys one DynamoDB `BatchGetItem` request may carry. */
export const MAX_BATCH_GET_KEYS = 100;

/** Put and delete requests one DynamoDB `BatchWriteItem` request may carry. */
export const MAX_BATCH_WRITE_REQUESTS = 25;

/** Actions one DynamoDB `TransactWriteItems` request may carry. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Alarm names one CloudWatch `DescribeAlarms` request may name. */
export const MAX_DESCRIBE_ALARM_NAMES = 100;
