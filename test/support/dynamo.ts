import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { userPartition } from '../../lambda/shared/aws/paging.ts';
import { type TableNames, tableNames } from '../../lambda/shared/tables.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { ensureTables } from '../../local/tables.ts';

/** Tables of one test file on the shared DynamoDB Local, with clients. */
export interface TestTables {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly names: TableNames;
}

/** Creates a fresh set of tables with a unique prefix, so test files never see each other's items. */
export async function createTestTables(): Promise<TestTables> {
  const endpoint = inject('dynamoEndpoint');
  const client = localDynamoClient(endpoint);
  const names = tableNames(`t${randomUUID().slice(0, 8)}-`);
  await ensureTables(client, names);
  return { endpoint, client, doc: documentClient(client), names };
}

/** Every item of a user's partition in a table. */
export const itemsOfUser = userPartition;

/** Every item of a table, page by page, strongly consistent: what a test asserts nothing else exists in. */
export async function scanAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: tableName, ConsistentRead: true }))
    items.push(...(page.Items ?? []));
  return items;
}
