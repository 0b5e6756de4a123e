import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../lambda/shared/aws/dynamodb.ts';
import { type TableNames, tableNames } from '../lambda/shared/tables.ts';
import { localDynamoClient } from './clients.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { refuseAfterDeadline } from './invocation-deadline.ts';
import type { LocalStackOptions } from './stack-options.ts';
import { ensureTables } from './tables.ts';

/** Default port of DynamoDB Local. */
export const DEFAULT_DYNAMODB_PORT = 8000;

/** What the stack started, stopped in reverse order. */
export type Cleanups = (() => Promise<void> | void)[];

/** DynamoDB (Local, unless an endpoint is given) with the integration's tables. */
export interface Database {
  readonly engine: DynamoDbLocal | undefined;
  readonly endpoint: string;
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
}

export async function startDatabase(
  options: LocalStackOptions,
  dataDir: string | undefined,
  cleanups: Cleanups,
): Promise<Database> {
  let engine: DynamoDbLocal | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    const dynamoDir = dataDir ? join(dataDir, 'dynamodb') : undefined;
    if (dynamoDir) mkdirSync(dynamoDir, { recursive: true });
    const dynamodbPort = options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT;
    engine = await startDynamoDbLocal({
      ...(dynamodbPort !== 0 ? { port: dynamodbPort } : {}),
      ...(dynamoDir ? { dataDir: dynamoDir } : {}),
    });
    const started = engine;
    cleanups.push(() => started.stop());
    endpoint = engine.endpoint;
  }
  const tables = tableNames(options.tablePrefix ?? 'local-');
  // Requests of a recording delivery past its timeout are refused, as Lambda stops the invocation.
  const dynamo = refuseAfterDeadline(localDynamoClient(endpoint));
  cleanups.push(() => dynamo.destroy());
  await ensureTables(dynamo, tables);
  return { engine, endpoint, dynamo, doc: documentClient(dynamo), tables };
}
