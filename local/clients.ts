import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/** DynamoDB Local accepts any region and any credentials; these keep the SDK from looking further. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** A DynamoDB client for a local endpoint. */
export function localDynamoClient(endpoint: string, maxAttempts?: number): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint, ...(maxAttempts ? { maxAttempts } : {}) });
}

/** A DynamoDB Streams client for a local endpoint. */
export function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint });
}
