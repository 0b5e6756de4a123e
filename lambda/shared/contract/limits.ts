/**
 * Size limits, in one place: the publisher, the recorder, the JSON Schemas' descriptions, the
 * dead-letter store and the docs all read them from here.
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

/** Most users one batch read of the profile API may name (one `BatchGetItem`). */
export const MAX_BATCH_USERS = 100;

/** Feed page size when `limit` is absent. */
export const DEFAULT_FEED_LIMIT = 20;

/** Largest feed page. */
export const MAX_FEED_LIMIT = 100;

/** Largest feed page an in-process reader asks for (the CLI, the demo): no gateway stands between. */
export const MAX_READER_FEED_LIMIT = 1000;
