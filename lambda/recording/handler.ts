import type { Context } from 'aws-lambda';
import { observeInvocation } from '../shared/aws/telemetry.ts';
import { type RecordSummary, reportRecordOutcome } from './adapters/telemetry.ts';
import { type RecordDependencies, recordEvent } from './application/record-event.ts';
import { recordingDependenciesFromEnv } from './wiring.ts';

/**
 * The EventBridge target handler: records one event. It returns normally for a recorded or an
 * invalid (dead-lettered) event, and throws when the event must be retried.
 */
export function createRecordHandler(deps: RecordDependencies) {
  return (event: unknown, context?: Context): Promise<RecordSummary> => {
    const eventId = (event as { id?: unknown } | null)?.id;
    return observeInvocation(
      context,
      { eventId: typeof eventId === 'string' ? eventId : undefined },
      'event not recorded; it will be retried',
      async () => reportRecordOutcome(await recordEvent(event, deps)),
    );
  };
}

let configured: ReturnType<typeof createRecordHandler> | undefined;

/** Lambda entry point: dependencies are built from the environment on the first event. */
export const handler = (event: unknown, context: Context): Promise<RecordSummary> => {
  configured ??= createRecordHandler(recordingDependenciesFromEnv());
  return configured(event, context);
};
