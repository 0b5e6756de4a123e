import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ID_PATTERN } from '../shared/contract/keys.ts';
import type { ErasureMessage } from './adapters/erasure-queue.ts';
import { erasureObserver } from './adapters/telemetry.ts';
import { eraseUser } from './application/erase-user.ts';
import { type EraseWorkerDependencies, eraseWorkerDependenciesFromEnv } from './wiring.ts';

/**
 * The erasure worker: runs (or resumes) each queued user's erasure. A failed one is reported as a
 * batch item failure, so SQS delivers it again and the next run resumes where this one stopped;
 * after the queue's receive count it waits in the dead-letter queue for an operator.
 */
export function createEraseWorker(deps: EraseWorkerDependencies) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      let userId: string | undefined;
      try {
        userId = (JSON.parse(record.body) as Partial<ErasureMessage>).userId;
      } catch {
        userId = undefined;
      }
      if (typeof userId !== 'string' || !ID_PATTERN.test(userId)) {
        erasureObserver.invalidRequest(record.messageId);
        continue;
      }
      try {
        const id = userId;
        const report = await eraseUser(deps.store, id, {
          ...deps.options,
          onProgress: (progress) => erasureObserver.progress(id, progress),
        });
        erasureObserver.erased(report);
      } catch (error) {
        erasureObserver.stopped(userId, error);
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

let deployed: ReturnType<typeof createEraseWorker> | undefined;

/** Lambda entry point (SQS event source on the erasure queue): dependencies are built on the first batch. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  deployed ??= createEraseWorker(eraseWorkerDependenciesFromEnv());
  return deployed(event);
};
