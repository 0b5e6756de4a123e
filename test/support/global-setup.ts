import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local every test file shares (each with its own tables). */
    dynamoEndpoint: string;
  }
}

/** Starts one DynamoDB Local (the real engine) for the whole run and stops it afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The JVM starts in about a second on an idle machine; a loaded CI box can take minutes.
  const engine = await startDynamoDbLocal({ startTimeoutMs: 180_000 });
  project.provide('dynamoEndpoint', engine.endpoint);
  return () => engine.stop();
}
