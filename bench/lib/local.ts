import { Agent } from 'node:http';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../lambda/shared/aws/batch.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import { type TableNames, tableNames } from '../../lambda/shared/tables.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { ensureTables } from '../../local/tables.ts';
import { countRequests, type RequestCounter } from './request-counter.ts';
import { BENCH_REQUEST_TIMEOUT_MS, retryTransientFailures } from './retries.ts';

/**
 * A DynamoDB client for the local engine, the one every measurement builds on: enough sockets for
 * the highest concurrency measured (the SDK's default pool of 50 would cap the 64-in-flight runs
 * below what the engine takes), and a late or failed answer sent again and counted (see
 * retries.ts) instead of ending the run. The SDK's own retries are off: those are counted here.
 */
export function benchClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint,
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
      requestTimeout: BENCH_REQUEST_TIMEOUT_MS,
    },
  });
  retryTransientFailures(client);
  return client;
}

/** A client, its document client and a request counter on both. */
export interface CountedClient {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly counter: RequestCounter;
}

/** A fresh counted client; each measured path gets its own, so counts never mix. */
export function countedClient(endpoint: string): CountedClient {
  const client = benchClient(endpoint);
  const counter = countRequests(client);
  return { client, doc: documentClient(client), counter };
}

let tableSets = 0;

/**
 * The integration's tables under a new prefix: every measurement starts from empty tables so one
 * path's items never slow down or short-circuit another's.
 */
export async function freshTables(client: DynamoDBClient, label: string): Promise<TableNames> {
  tableSets += 1;
  const names = tableNames(`bench${tableSets}-${label}-`);
  await ensureTables(client, names);
  return names;
}

/**
 * Drops tables a measurement is done with. DynamoDB Local keeps every table and its stream in
 * memory; left behind, they slow every later measurement of the run.
 */
export async function dropTables(client: DynamoDBClient, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map((TableName) =>
      client.send(new DeleteTableCommand({ TableName })).catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }),
    ),
  );
}

/** The table Powertools Idempotency keeps its records in (its documented default shape). */
export async function createIdempotencyTable(client: DynamoDBClient, label: string): Promise<string> {
  tableSets += 1;
  const TableName = `bench${tableSets}-${label}-Idempotency`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { TableName });
  return TableName;
}

/**
 * Writes items with `BatchWriteItem` (25 per request, several requests in flight), resending
 * whatever DynamoDB returns as unprocessed. Seeding only: it bypasses every condition.
 */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly object[],
  inFlight = 8,
): Promise<void> {
  const chunks: object[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await forEachLimit(chunks, inFlight, (chunk) =>
    batchWriteAll(
      doc,
      table,
      chunk.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } })),
      { action: `seeding ${table} (is the engine overloaded?)` },
    ),
  );
}
