import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Requests one client sent, by operation, and how many came back as failed conditional writes. */
export interface RequestCounts {
  total: number;
  conditionalFailures: number;
  byOperation: Record<string, number>;
}

/** Counts the DynamoDB requests of one client; `reset()` starts a new measurement. */
export interface RequestCounter {
  readonly counts: RequestCounts;
  reset(): void;
}

const CONDITIONAL_FAILURES = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException']);

/**
 * Counts every HTTP request the client sends. The middleware sits in the `deserialize` step, which
 * runs once per attempt (inside the retry loop), so a retried call counts as the requests it really
 * made, and a document client built on this client is counted too (it shares the stack).
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const counts: RequestCounts = { total: 0, conditionalFailures: 0, byOperation: {} };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.total += 1;
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
      try {
        return await next(args);
      } catch (error) {
        if (CONDITIONAL_FAILURES.has((error as { name?: string }).name ?? ''))
          counts.conditionalFailures += 1;
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'benchRequestCounter' },
  );
  return {
    counts,
    reset() {
      counts.total = 0;
      counts.conditionalFailures = 0;
      counts.byOperation = {};
    },
  };
}
