/**
 * Recording's published entry: the handler and its wiring (the local stack, the bench and the
 * reliability runs record through them), the flag reader, and what recording reports. Only
 * re-exports: importing it runs nothing.
 */
export { DynamoActivityWriter } from './adapters/activity-store.ts';
export { SsmFlagReader, type SsmFlagReaderOptions } from './adapters/flag-reader.ts';
export type { RecordSummary } from './adapters/telemetry.ts';
export type { ActivityWriter, FlagReader, PutResult } from './application/ports.ts';
export { type RecordDependencies, type RecordOutcome, recordEvent } from './application/record-event.ts';
export { DEFAULT_FLAG_CACHE_SECONDS } from './constants.ts';
export { activityFor, isSameAction } from './domain/activities.ts';
export { createRecordHandler } from './handler.ts';
export { type RecordingOptions, recordingDependencies } from './wiring.ts';
