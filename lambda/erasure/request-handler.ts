import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHttpApiHandler, type HttpApiEvent } from '../read-api/index.ts';
import { createErasureApi } from './application/erasure-api.ts';
import { erasureRequestDependenciesFromEnv } from './wiring.ts';

let deployed: ReturnType<typeof createHttpApiHandler> | undefined;

/**
 * Lambda entry point of `DELETE /users/{userId}`: reads the user's erasure record and, unless the
 * erasure is done, queues it for the worker; answers 202 (running) or 200 (done) at once.
 */
export const handler = (event: HttpApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  if (!deployed) {
    const { erasures, ...options } = erasureRequestDependenciesFromEnv();
    deployed = createHttpApiHandler(createErasureApi(erasures, options));
  }
  return deployed(event);
};
