import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiRequest, ServeOptions } from '../read-api/index.ts';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { SqsErasureRequests } from './adapters/erasure-queue.ts';
import { DynamoErasureStore, type ErasureTables } from './adapters/erasure-store.ts';
import { erasureRequestFailed } from './adapters/telemetry.ts';
import type { EraseOptions } from './application/erase-user.ts';
import type { ErasureRequests, ErasureStore } from './application/ports.ts';
import { erasureRequestConfig, erasureWorkerConfig } from './config.ts';

/**
 * Erasure, wired one way for the deployed functions, the local stack and the tests: the request
 * route (`DELETE /users/{userId}`) and the worker that runs queued erasures, each from the
 * function's environment or from options.
 */

/** What the erase route is built from: where requests go, and who hears of failures. */
export interface ErasureRequestDependencies extends ServeOptions {
  readonly erasures: ErasureRequests;
}

/** The erase route's dependencies from options: requests handed to `erasures`. */
export function erasureRequestDependencies(options: {
  readonly erasures: ErasureRequests;
  readonly onError?: ((error: unknown, request: ApiRequest) => void) | undefined;
}): ErasureRequestDependencies {
  return { erasures: options.erasures, ...(options.onError ? { onError: options.onError } : {}) };
}

/** The deployed erase route's dependencies: the statistics table and the FIFO queue, from the environment. */
export function erasureRequestDependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ErasureRequestDependencies {
  const config = erasureRequestConfig(env);
  return erasureRequestDependencies({
    erasures: new SqsErasureRequests(documentClient(), config.tables.stats, config.erasureQueueUrl),
    onError: erasureRequestFailed,
  });
}

/** What the erasure worker is built from. */
export interface EraseWorkerDependencies {
  readonly store: ErasureStore;
  readonly options: EraseOptions;
}

/** The worker's dependencies from options: the tables it erases from and the settle time. */
export function eraseWorkerDependencies(options: {
  readonly client: DynamoDBDocumentClient;
  readonly tables: ErasureTables;
  readonly settleSeconds: number;
}): EraseWorkerDependencies {
  return {
    store: new DynamoErasureStore(options.client, options.tables),
    options: { settleMs: options.settleSeconds * 1000 },
  };
}

/** The deployed worker's dependencies, from its environment. */
export function eraseWorkerDependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): EraseWorkerDependencies {
  const config = erasureWorkerConfig(env);
  return eraseWorkerDependencies({
    client: documentClient(),
    tables: config.tables,
    settleSeconds: config.settleSeconds,
  });
}
