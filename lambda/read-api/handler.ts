import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHttpApiHandler, type HttpApiEvent } from './adapters/api-gateway.ts';
import { createProfileApi } from './application/read-routes.ts';
import { readApiDependenciesFromEnv } from './wiring.ts';

let deployed: ReturnType<typeof createHttpApiHandler> | undefined;

/**
 * Lambda entry point of the read routes (`GET /users/{userId}/stats`, `.../games`, `.../activities`,
 * `/stats`): dependencies are built from the environment on the first request.
 */
export const handler = (event: HttpApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  deployed ??= createHttpApiHandler(createProfileApi(readApiDependenciesFromEnv()));
  return deployed(event);
};
