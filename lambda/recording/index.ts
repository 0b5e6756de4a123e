/**
 * Recording's published entry: the rules for an accepted event (the activity per user, duplicate or
 * conflict), the flag reader, and what recording reports. Side-effect free; the handler and its
 * wiring are imported by path where they are run (the local stack, the bench, the tests).
 */
export { SsmFlagReader, type SsmFlagReaderOptions } from './adapters/flag-reader.ts';
export type { ParametersExtension } from './adapters/parameters-extension.ts';
export type { RecordSummary } from './adapters/telemetry.ts';
export type { ActivityWriter, FlagReader, PutResult } from './application/ports.ts';
export { DEFAULT_FLAG_CACHE_SECONDS, PARAMETERS_EXTENSION } from './constants.ts';
export { activityFor, isSameAction } from './domain/activities.ts';
