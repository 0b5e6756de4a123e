import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../lambda/shared/aws/dynamodb.ts';
import { localDynamoClient } from '../local/clients.ts';
import { startLocalStack, WAIT_UNTIL_SETTLED_TARGET } from '../local/stack.ts';
import { resolveTarget } from './cli/target.ts';

/** Where `npm run demo` plays: a throwaway local stack, or the running one `--endpoint` names. */
export interface DemoStack {
  readonly endpoint: string;
  readonly busName: string;
  readonly eventSource: string;
  readonly tables: { readonly activities: string; readonly stats: string };
  /** The DynamoDB tables, for reading feeds and statistics back. */
  readonly doc: DynamoDBDocumentClient;
  /** Resolves once every event sent so far is delivered and the statistics caught up. */
  settled(): Promise<void>;
  /** Stops the throwaway stack; leaves a running one as it is. */
  stop(): Promise<void>;
}

/** A throwaway stack on free ports: its data goes with it. */
async function throwawayStack(log: (line: string) => void): Promise<DemoStack> {
  const stack = await startLocalStack({ port: 0, dynamodbPort: 0, log });
  const dynamo = localDynamoClient(stack.dynamodbEndpoint);
  return {
    ...stack,
    doc: documentClient(dynamo),
    settled: () => stack.settled(),
    stop: async () => {
      dynamo.destroy();
      await stack.stop();
    },
  };
}

/** The stack `npm start` runs at `endpoint`, found as `tpi` finds it: its data stays for exploring. */
async function runningStack(endpoint: string): Promise<DemoStack> {
  const target = await resolveTarget({ endpoint });
  const settled = async () => {
    const response = await fetch(target.label, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': WAIT_UNTIL_SETTLED_TARGET },
      body: '{}',
    });
    if (!response.ok)
      throw new Error(
        `the stack at ${endpoint} cannot say when deliveries are done (${response.status}): restart it with this checkout's npm start`,
      );
  };
  return {
    endpoint: target.label,
    busName: target.busName,
    eventSource: target.eventSource,
    tables: target.tables,
    doc: target.doc,
    settled,
    stop: async () => target.close(),
  };
}

/** The running stack at `endpoint` when given, else a throwaway one. */
export function demoStack(endpoint: string | undefined, log: (line: string) => void): Promise<DemoStack> {
  return endpoint === undefined ? throwawayStack(log) : runningStack(endpoint);
}
