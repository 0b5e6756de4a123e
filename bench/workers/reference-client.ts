import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The cold-start reference: a function that does nothing but create a DynamoDB document client,
 * the least any function writing to DynamoDB loads.
 */
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** Lambda entry point. */
export const handler = async (): Promise<string> => client.config.serviceId;
