import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';

import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalEndpoint } from '../../local/endpoint.ts';
import { InvocationTimedOutError } from '../../local/errors.ts';
import { refuseAfterDeadline, withInvocationDeadline } from '../../local/invocation-deadline.ts';
import { checkInEvent, withBus } from '../support/bus.ts';
import { checkInEntry, fresh } from '../support/events.ts';

describe('bounded work', () => {
  it('counts a delivery that never answers as a failed attempt once its time is up', async () => {
    const gaveUp: string[] = [];
    await withBus(
      {
        deliveryTimeoutMs: 50,
        target: () => new Promise<string>(() => undefined),
        onGiveUp: async (_event, attempts, error) =>
          void gaveUp.push(`${attempts}: ${(error as Error).message}`),
      },
      async (bus) => {
        bus.publish(checkInEvent('hangs'));
        await bus.idle();
      },
    );
    expect(gaveUp).toEqual(['2: the target did not answer within 50 ms']);
  });

  it('refuses the DynamoDB requests of an invocation past its timeout, as Lambda stops it, and no others', async () => {
    // Prepare: a client of an engine that is not there, so only the refusal can answer first.
    const client = refuseAfterDeadline(
      new DynamoDBClient({ ...LOCAL_AWS, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    );
    const list = () => client.send(new ListTablesCommand({}));
    try {
      // Act
      const late = await withInvocationDeadline(-1, list).catch((error: Error) => error);
      const outside = await list().catch((error: Error) => error);

      // Assess
      expect(late).toBeInstanceOf(InvocationTimedOutError);
      expect(outside).not.toBeInstanceOf(InvocationTimedOutError);
    } finally {
      client.destroy();
    }
  });

  it('answers valid entries with the retryable ThrottlingException while deliveries are saturated', async () => {
    let saturated = true;
    const endpoint = await startLocalEndpoint({ saturated: () => saturated });
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 });
    try {
      const full = await client.send(new PutEventsCommand({ Entries: [checkInEntry(fresh('full'))] }));
      expect(full.Entries?.[0]?.ErrorCode).toBe('ThrottlingException');
      saturated = false;
      const drained = await client.send(new PutEventsCommand({ Entries: [checkInEntry(fresh('drained'))] }));
      expect(drained.FailedEntryCount).toBe(0);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});
