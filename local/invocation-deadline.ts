import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { InvocationTimedOutError } from './errors.ts';

/**
 * Longest run of one local invocation (a recording delivery or a statistics batch), in seconds.
 * Lambda stops an invocation at its timeout, so nothing it began can write later; locally the same
 * bound is enforced by {@link refuseAfterDeadline}. An erasure waits this long (plus the cache
 * period) for every invocation that began with an older set of erased users to end.
 */
export const LOCAL_INVOCATION_SECONDS = 30;

const deadlines = new AsyncLocalStorage<number>();

/** Runs one invocation with a deadline its DynamoDB requests are held to. */
export function withInvocationDeadline<T>(timeoutMs: number, invoke: () => Promise<T>): Promise<T> {
  return deadlines.run(Date.now() + timeoutMs, invoke);
}

/**
 * Makes a client refuse requests sent by an invocation past its deadline, as if Lambda had stopped
 * it. Without this an abandoned local call would keep writing after its delivery was retried (or
 * given up), later than any bound a reader of the stack could rely on.
 */
export function refuseAfterDeadline(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const deadline = deadlines.getStore();
      if (deadline !== undefined && Date.now() > deadline)
        throw new InvocationTimedOutError(
          `${context.commandName ?? 'a request'} refused: the invocation outlived its ${LOCAL_INVOCATION_SECONDS}s timeout (Lambda would have stopped it)`,
        );
      return next(args);
    },
    { step: 'initialize', name: 'refuseAfterInvocationDeadline' },
  );
  return client;
}
