import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  ACTIVITY_TABLE,
  DEAD_LETTER_TABLE,
  STATS_TABLE,
  type TableDefinition,
  type TableNames,
} from '../lambda/shared/tables.ts';

/** `CreateTable` input for a shared table definition (on-demand, like the deployed tables). */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keys = [
    definition.partitionKey,
    definition.sortKey,
    ...(definition.localIndexes ?? []).map((i) => i.sortKey),
  ];
  const attributes = new Map(keys.filter((k) => k !== undefined).map((k) => [k.name, k.type]));
  const keySchema = (sortKey?: { name: string }) => [
    { AttributeName: definition.partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(definition.sortKey),
    LocalSecondaryIndexes: definition.localIndexes?.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.sortKey),
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projected] },
    })),
    StreamSpecification: definition.stream
      ? { StreamEnabled: true, StreamViewType: definition.stream }
      : undefined,
  };
}

/** Creates the three tables unless they exist (a persistent local stack restarts onto its data). */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  const pairs: [TableDefinition, string][] = [
    [ACTIVITY_TABLE, names.activities],
    [STATS_TABLE, names.stats],
    [DEAD_LETTER_TABLE, names.deadLetters],
  ];
  await Promise.all(
    pairs.map(async ([definition, name]) => {
      try {
        await client.send(new CreateTableCommand(createTableInput(definition, name)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists(
        { client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
        { TableName: name },
      );
    }),
  );
}
