import { randomUUID } from 'node:crypto';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import type { RolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import { previousFlagParameterName } from '../../lambda/rollout/constants.ts';
import { isUserIncluded, parseFlag } from '../../lambda/shared/contract/flag.ts';
import { METRIC } from '../../lambda/shared/observability.ts';
import { LOCAL_AWS, localDynamoClient } from '../../local/clients.ts';
import type { LocalMetric } from '../../local/metric-store.ts';
import { LOCAL_ROLLOUT_TARGETS } from '../../local/rollout-operations.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack, LocalStackOptions } from '../../local/stack-options.ts';
import { localAlarmName } from '../../local/stop-conditions.ts';
import { exampleDetail } from '../support/events.ts';
import { publishTo } from '../support/local-stack.ts';
import { waitFor } from '../support/wait.ts';

const SCENARIO_TIMEOUT_MS = 240_000;
const PERIOD_MS = 1000;

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

/** A local stack with one-second alarm periods, the flag off, and the test's options. */
async function withStack<T>(
  options: Partial<LocalStackOptions>,
  use: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `stop${randomUUID().slice(0, 8)}-`,
    flag: 'off',
    flagCacheSeconds: 0,
    alarmPeriodSeconds: PERIOD_MS / 1000,
    auditIntervalSeconds: 1,
    ...options,
  });
  try {
    return await use(stack);
  } finally {
    await stack.stop();
  }
}

/** A parameter's value, through the stack's SSM API. */
async function parameter(stack: LocalStack, name: string): Promise<string | undefined> {
  const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } finally {
    ssm.destroy();
  }
}

const rollout = async (stack: LocalStack) =>
  (await call(stack, LOCAL_ROLLOUT_TARGETS.describe)).Rollout as RolloutView;
const included: LocalMetric = {
  source: 'integration',
  metricName: METRIC.included,
  dimensions: { service: 'service' },
};
const errors: LocalMetric = {
  source: 'AWS/Lambda',
  metricName: 'Errors',
  dimensions: { FunctionName: 'recording-function' },
};

/**
 * Feeds every one-second period, once, with `perPeriod` included events and `failures` recording
 * errors (what the recording function's metrics would hold), until stopped.
 */
function feedErrorRate(stack: LocalStack, perPeriod: number, failures: number): () => void {
  const fed = new Set<number>();
  const timer = setInterval(() => {
    const now = Date.now();
    const period = Math.floor(now / PERIOD_MS);
    if (fed.has(period)) return;
    fed.add(period);
    stack.cloudWatch.metrics.store.put(included, perPeriod, now);
    stack.cloudWatch.metrics.store.put(errors, failures, now);
  }, 50);
  return () => clearInterval(timer);
}

describe('local stop conditions during a step', () => {
  it('an error rate of 0.2 % among included events rolls the step back', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    await withStack({ statistics: false }, async (stack) => {
      // Prepare: a rollout at 10 %, holding for a minute.
      await call(stack, LOCAL_ROLLOUT_TARGETS.start, {
        Steps: [10, 100],
        WaitsMs: [60_000, 0],
        SliceSeconds: 1,
      });

      // Act: 2 errors in 1,000 included events, every period.
      const stop = feedErrorRate(stack, 1000, 2);
      const ended = await waitFor('the rollback', async () => {
        const view = await rollout(stack);
        return view.state === 'RUNNING' ? undefined : view;
      }).finally(stop);

      // Assess: whichever saw the ALARM first, the step at its check or the rollback function on the
      // alarm's change, turned the flag off, saved the step's 10 and named the error rate.
      expect(ended).toMatchObject({ state: 'FAILED', error: 'RolloutRolledBack', flag: 'off' });
      expect(await parameter(stack, previousFlagParameterName(stack.flagParameterName))).toBe('10');
      const firing = [ended.stopCondition, ...stack.rollback.outcomes.map((o) => o.firing)].join(' ');
      expect(firing).toContain(localAlarmName('IntegrationErrorRate'));
    });
  });

  it('an error rate of 0.05 % does not', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    await withStack({ statistics: false }, async (stack) => {
      await call(stack, LOCAL_ROLLOUT_TARGETS.start, {
        Steps: [10, 100],
        WaitsMs: [60_000, 0],
        SliceSeconds: 1,
      });
      const alarm = () =>
        stack.cloudWatch.alarms.all().find((a) => a.record.name === localAlarmName('IntegrationErrorRate'));

      // Act: 1 error in 2,000 included events, every period, for five evaluated periods.
      const stop = feedErrorRate(stack, 2000, 1);
      const startedAt = Date.now();
      await waitFor(
        'five periods judged',
        () => Date.now() - startedAt > 5 * PERIOD_MS && alarm()?.record.state === 'OK',
      ).finally(stop);

      // Assess: still holding at 10 %, nothing rolled back.
      expect(await rollout(stack)).toMatchObject({ state: 'RUNNING', percentage: 10, flag: '10' });
      expect(stack.rollback.outcomes.some((o) => o.action === 'rolled-back')).toBe(false);
      expect(alarm()?.record.reason).toMatch(/0\.05/);
    });
  });

  it('a duplicate activity is found from the activity stream and rolls the step back', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    const lines: string[] = [];
    // DynamoDB Local on a busy machine is slow enough to trip the latency condition in one-second periods.
    const slowMachine = { dynamoLatencyAverageMs: 60_000, recordingDurationP99Ms: 60_000 };
    await withStack(
      { flag: 'on', stopConditions: slowMachine, log: (line) => lines.push(line) },
      async (stack) => {
        // Prepare: an activity recorded, a rollout holding at 100 %.
        await publishTo(stack, [
          {
            detailType: 'MatchFinalized',
            detail: exampleDetail('MatchFinalized', { matchId: `m${randomUUID().slice(0, 6)}` }),
          },
        ]);
        await stack.settled();
        await call(stack, LOCAL_ROLLOUT_TARGETS.start, { Steps: [100], WaitsMs: [60_000], SliceSeconds: 1 });

        // Act: the same activity written again under another key (a key derivation that changed).
        const doc = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamodbEndpoint));
        const { Items = [] } = await doc.send(
          new ScanCommand({ TableName: stack.tables.activities, Limit: 1 }),
        );
        await doc.send(
          new PutCommand({
            TableName: stack.tables.activities,
            Item: { ...Items[0], idempotencyKey: `${String(Items[0]?.idempotencyKey)}:v2` },
          }),
        );
        doc.destroy();
        const ended = await waitFor('the rollback', async () => {
          const view = await rollout(stack);
          return view.state === 'RUNNING' ? undefined : view;
        });

        // Assess: the stream audit of the touched user found it; the duplicates condition rolled back.
        expect(ended).toMatchObject({ state: 'FAILED', error: 'RolloutRolledBack', flag: 'off' });
        expect(lines.some((line) => /audit {5}touched users: 1 duplicate/.test(line))).toBe(true);
        const firing = [ended.stopCondition, ...stack.rollback.outcomes.map((o) => o.firing)].join(' ');
        expect(firing).toContain(localAlarmName('AuditDuplicateActivities'));
        expect(firing).not.toMatch(/database-degradation|integration-error-rate/);
      },
    );
  });
});

describe('the included events recording reports', () => {
  it('count events with a user the flag includes, not events whose users were all skipped', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    await withStack({ flag: '50', statistics: false }, async (stack) => {
      // Prepare: 40 single-user events, some of whose users the flag at 50 % includes.
      const users = Array.from({ length: 40 }, (_, i) => `inc${i}-${randomUUID().slice(0, 4)}`);
      const expected = users.filter((user) => isUserIncluded(parseFlag('50'), user)).length;

      // Act
      await publishTo(
        stack,
        users.map((user) => ({
          detailType: 'CheckInToggled',
          detail: exampleDetail('CheckInToggled', { registrationId: user, userIds: [user] }),
        })),
      );
      await stack.settled();

      // Assess
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(users.length);
      expect(stack.cloudWatch.metrics.includedSince(0)).toBe(expected);
      const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
      expect(
        (await ssm.send(new GetParameterCommand({ Name: stack.flagParameterName }))).Parameter?.Value,
      ).toBe('50');
      ssm.destroy();
    });
  });
});
