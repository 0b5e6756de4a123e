import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { benchClient } from '../../bench/lib/local.ts';
import { resetRetryCounts, retryCounts } from '../../bench/lib/retries.ts';

/** A bench client whose requests fail with `failures` in turn, then succeed, without any network. */
function clientFailingWith(failures: readonly Error[]) {
  const client = benchClient('http://127.0.0.1:9');
  let attempts = 0;
  client.middlewareStack.add(
    () => async () => {
      const failure = failures[attempts];
      attempts += 1;
      if (failure) throw failure;
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'serialize', name: 'answerWithoutNetwork' },
  );
  return { client, attempts: () => attempts };
}

const dropped = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

afterEach(() => {
  resetRetryCounts();
});

describe('the bench client', () => {
  it('sends a call again when the engine drops the connection or is late, and counts why', async () => {
    // Prepare
    const late = Object.assign(new Error('no answer in time'), { name: 'TimeoutError' });
    const { client, attempts } = clientFailingWith([dropped(), late]);

    // Act
    await client.send(new DescribeTableCommand({ TableName: 'any' }));

    // Assess
    expect(attempts()).toBe(3);
    expect(retryCounts).toEqual({ retried: 2, gaveUp: 0, byReason: { ECONNRESET: 1, TimeoutError: 1 } });
  });

  it('does not send again what would fail the same way (a failed condition)', async () => {
    // Prepare
    const refused = Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
    const { client, attempts } = clientFailingWith([refused]);

    // Act
    const sent = client.send(new DescribeTableCommand({ TableName: 'any' }));

    // Assess
    await expect(sent).rejects.toThrow('condition');
    expect(attempts()).toBe(1);
    expect(retryCounts.retried).toBe(0);
  });
});
