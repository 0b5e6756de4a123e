import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createReadHandler, type ReadEvent } from '../read-api/handler.ts';
import { documentClient } from '../shared/aws/dynamodb.ts';
import { erasureRequestConfig } from '../shared/config.ts';
import { SqsErasureRequests } from './adapters/erasure-queue.ts';
import { createErasureApi } from './application/erasure-api.ts';

let deployed: ReturnType<typeof createReadHandler> | undefined;

/**
 * Lambda entry point of `DELETE /users/{userId}`: reads the user's erasure record and, unless the
 * erasure is done, queues it for the worker; answers 202 (running) or 200 (done) at once.
 */
export const handler = (event: ReadEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  if (!deployed) {
    const config = erasureRequestConfig();
    const logger = new Logger();
    deployed = createReadHandler(
      createErasureApi(
        new SqsErasureRequests(documentClient(), config.statsTableName, config.erasureQueueUrl),
        {
          onError: (error, request) =>
            logger.error('erasure request failed', { error: error as Error, routeKey: request.routeKey }),
        },
      ),
    );
  }
  return deployed(event);
};
