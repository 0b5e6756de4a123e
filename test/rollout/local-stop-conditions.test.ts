import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import type { ActivityWriter } from '../../lambda/recording/application/ports.ts';
import type { RolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import { LOCAL_AWS, localDynamoClient } from '../../local/clients.ts';
import { LOCAL_ROLLOUT_TARGETS } from '../../local/rollout-operations.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack, LocalStackOptions } from '../../local/stack-options.ts';
import { LOCAL_STOP_CONDITIONS } from '../../local/stop-conditions.ts';
import { exampleDetail } from '../support/events.ts';
import { waitFor } from '../support/wait.ts';

const ROW_TIMEOUT_MS = 240_000;
const DETAIL_TYPE = 'MatchFinalized';

/** Calls one of the local stack's own operations, as the CLI does. */
async function call(stack: LocalStack, target: string, input: Record<string, unknown> = {}) {
  const response = await fetch(stack.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${target}: ${JSON.stringify(body)}`);
  return body;
}

let nextMatchId = 1_000 + Math.floor(Math.random() * 1_000_000);

/** Publishes `count` valid events, each a different match. */
async function publish(stack: LocalStack, count: number): Promise<void> {
  const eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  try {
    await eventBridge.send(
      new PutEventsCommand({
        Entries: Array.from({ length: count }, () => ({
          EventBusName: stack.busName,
          Source: stack.eventSource,
          DetailType: DETAIL_TYPE,
          Detail: JSON.stringify(exampleDetail(DETAIL_TYPE, { matchId: nextMatchId++ })),
        })),
      }),
    );
  } finally {
    eventBridge.destroy();
  }
}

/** An activity the stack recorded, copied under another idempotency key: the same action twice. */
async function plantDuplicate(stack: LocalStack): Promise<void> {
  await publish(stack, 1);
  await stack.settled();
  const doc = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamodbEndpoint));
  try {
    const { Items } = await doc.send(new ScanCommand({ TableName: stack.tables.activities, Limit: 1 }));
    const [item] = Items ?? [];
    if (!item) throw new Error('nothing was recorded to copy');
    await doc.send(
      new PutCommand({
        TableName: stack.tables.activities,
        Item: { ...item, idempotencyKey: `${String(item.idempotencyKey)}:copy` },
      }),
    );
  } finally {
    doc.destroy();
  }
}

const failingWrites = (_writer: ActivityWriter): ActivityWriter => ({
  putIfAbsent: async () => {
    throw Object.assign(new Error('simulated write failure'), { name: 'InternalServerError' });
  },
});
const slowWrites = (writer: ActivityWriter): ActivityWriter => ({
  putIfAbsent: async (activity) => {
    await new Promise((r) => setTimeout(r, 150));
    return writer.putIfAbsent(activity);
  },
});

type Row = readonly [
  condition: string,
  options: Partial<LocalStackOptions>,
  provoke: (stack: LocalStack) => Promise<void>,
  reason: RegExp,
];

const ROWS: readonly Row[] = [
  [
    LOCAL_STOP_CONDITIONS.errorRate,
    { wrapActivities: failingWrites, stopConditions: { errorRateMinEvents: 1 }, retryBaseMs: 5_000 },
    (stack) => publish(stack, 1),
    /integration errors in \d+ events handled/,
  ],
  [
    'outside-PaymentsDown',
    {},
    async (stack) => {
      await call(stack, LOCAL_ROLLOUT_TARGETS.setAlarmState, {
        AlarmName: 'PaymentsDown',
        StateValue: 'ALARM',
        StateReason: 'payment webhook errors',
      });
    },
    /payment webhook errors/,
  ],
  [
    LOCAL_STOP_CONDITIONS.database,
    { wrapActivities: slowWrites, stopConditions: { recordingDurationP99Ms: 100 } },
    (stack) => publish(stack, 3),
    /recording p99 \d+ ms > 100 ms/,
  ],
  [
    LOCAL_STOP_CONDITIONS.duplicates,
    {},
    async (stack) => {
      await plantDuplicate(stack);
      await call(stack, LOCAL_ROLLOUT_TARGETS.audit);
    },
    /\d+ duplicate/,
  ],
];

describe('each local stop condition rolls the local rollout back', () => {
  it.each(ROWS)('%s', { timeout: ROW_TIMEOUT_MS }, async (condition, options, provoke, reason) => {
    // Prepare: the flag off, a rollout raised to 100% and holding for a minute.
    const stack = await startLocalStack({
      port: 0,
      dynamodbEndpoint: inject('dynamoEndpoint'),
      tablePrefix: `stop${randomUUID().slice(0, 8)}-`,
      flag: 'off',
      flagCacheSeconds: 0,
      statistics: false,
      ...options,
    });
    const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
    try {
      await call(stack, LOCAL_ROLLOUT_TARGETS.start, { Steps: [100], WaitsMs: [60_000], SliceSeconds: 1 });
      const flag = async () =>
        (await ssm.send(new GetParameterCommand({ Name: stack.flagParameterName }))).Parameter?.Value;
      expect(await flag()).toBe('on');

      // Act
      await provoke(stack);

      // Assess: rolled back by this condition, the flag off, the raised value saved.
      const ended = await waitFor(`a rollback by ${condition}`, async () => {
        const view = (await call(stack, LOCAL_ROLLOUT_TARGETS.describe)).Rollout as RolloutView;
        return view.state === 'RUNNING' ? undefined : view;
      });
      expect(ended).toMatchObject({ state: 'FAILED', error: 'RolloutRolledBack', stopCondition: condition });
      expect(ended.reason).toMatch(reason);
      expect(await flag()).toBe('off');
      const saved = await ssm.send(new GetParameterCommand({ Name: `${stack.flagParameterName}/previous` }));
      expect(saved.Parameter?.Value).toBe('on');
    } finally {
      ssm.destroy();
      await stack.stop();
    }
  });

  it('an outside alarm back in OK lets a new rollout run', { timeout: ROW_TIMEOUT_MS }, async () => {
    // Prepare
    const stack = await startLocalStack({
      port: 0,
      dynamodbEndpoint: inject('dynamoEndpoint'),
      tablePrefix: `stop${randomUUID().slice(0, 8)}-`,
      flag: 'off',
      statistics: false,
    });
    const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
    try {
      // Act: an outside alarm goes to ALARM and back to OK, then a rollout starts
      await call(stack, LOCAL_ROLLOUT_TARGETS.setAlarmState, {
        AlarmName: 'PaymentsDown',
        StateValue: 'ALARM',
      });
      await call(stack, LOCAL_ROLLOUT_TARGETS.setAlarmState, { AlarmName: 'PaymentsDown', StateValue: 'OK' });
      const started = (
        await call(stack, LOCAL_ROLLOUT_TARGETS.start, { Steps: [50], WaitsMs: [0], SliceSeconds: 1 })
      ).Rollout as RolloutView;

      // Assess: it starts with every alarm OK and runs to the end
      expect(started.alarms.every((alarm) => alarm.state === 'OK')).toBe(true);
      await waitFor('the rollout to finish', async () => {
        const view = (await call(stack, LOCAL_ROLLOUT_TARGETS.describe)).Rollout as RolloutView;
        return view.state === 'SUCCEEDED' ? view : undefined;
      });
      // The flag back to off for whatever runs next on this stack.
      await ssm.send(
        new PutParameterCommand({
          Name: stack.flagParameterName,
          Value: 'off',
          Type: 'String',
          Overwrite: true,
        }),
      );
    } finally {
      ssm.destroy();
      await stack.stop();
    }
  });
});
