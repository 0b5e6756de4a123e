import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { LOCAL_STOP_CONDITIONS } from '../../local/stop-conditions.ts';
import { tpi as runTpi } from '../support/local-stack.ts';
import { waitFor } from '../support/wait.ts';

let stack: LocalStack;
let ssm: SSMClient;
let eventBridge: EventBridgeClient;

/** Runs the CLI in process against this file's stack. */
const tpi = (...args: string[]) => runTpi(stack, ...args);

async function status(): Promise<RolloutView> {
  const { code, stdout } = await tpi('rollout', 'status', '--json');
  expect(code).toBe(0);
  return JSON.parse(stdout) as RolloutView;
}

async function flag(): Promise<string | undefined> {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: stack.flagParameterName }));
  return Parameter?.Value;
}

/** The local stack's output: each raise is logged as it happens, so no value can be missed. */
const stackLines: string[] = [];
const raises = () => stackLines.flatMap((line) => /: flag raised to (\S+)$/.exec(line)?.[1] ?? []);

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `rollout${randomUUID().slice(0, 8)}-`,
    flag: 'off',
    flagCacheSeconds: 0,
    statistics: false,
    log: (line) => stackLines.push(line),
  });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  eventBridge = new EventBridgeClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
});

afterAll(async () => {
  ssm?.destroy();
  eventBridge?.destroy();
  await stack?.stop();
});

describe('local progressive rollout through tpi', () => {
  it('raises the flag 10 → 25 → 50 → 100 with second-long holds and finishes', async () => {
    const started = await tpi(
      'rollout',
      'start',
      '--steps',
      '10,25,50,100',
      '--wait',
      '1s',
      '--slice',
      '1s',
      '--json',
    );
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ state: 'RUNNING', step: 1, percentage: 10 });

    const finished = await waitFor('the rollout to finish', async () => {
      const view = await status();
      return view.state === 'RUNNING' ? undefined : view;
    });
    expect(finished).toMatchObject({ state: 'SUCCEEDED', step: 4, percentage: 100, flag: 'on' });
    expect(raises()).toEqual(['10', '25', '50', 'on']);
    expect(await flag()).toBe('on');
  });

  it('rolls back to off on a burst of invalid events, says why, and flag restore puts the value back', async () => {
    // Prepare: a rollout started from off, at its first step
    expect((await tpi('flag', 'set', 'off')).code).toBe(0);
    expect((await tpi('rollout', 'start', '--steps', '10,50', '--wait', '60s', '--slice', '1s')).code).toBe(
      0,
    );
    expect(await flag()).toBe('10');

    // Act: a burst of invalid events
    const [type] = EVENT_TYPES;
    await eventBridge.send(
      new PutEventsCommand({
        Entries: Array.from({ length: 5 }, (_, i) => ({
          EventBusName: stack.busName,
          Source: stack.eventSource,
          DetailType: type?.detailType,
          // No tournamentId: invalid, stored as a dead letter.
          Detail: JSON.stringify({ occurredAt: '2026-05-01T12:00:00Z', burst: i }),
        })),
      }),
    );

    // Assess: the rollout failed on the dead-letter stop condition and turned the flag off
    const ended = await waitFor('the rollback', async () => {
      const view = await status();
      return view.state === 'RUNNING' ? undefined : view;
    });
    expect(ended).toMatchObject({
      state: 'FAILED',
      error: 'RolloutRolledBack',
      stopCondition: LOCAL_STOP_CONDITIONS.deadLetters,
      flag: 'off',
    });
    expect(ended.reason).toMatch(/dead letter/);
    expect(ended.alarms).toContainEqual(
      expect.objectContaining({ name: LOCAL_STOP_CONDITIONS.deadLetters, state: 'ALARM' }),
    );
    expect(await flag()).toBe('off');

    // Act and assess: restore puts the value of before the rollback back
    const restored = await tpi('flag', 'restore', '--json');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ value: '10' });
    expect(await flag()).toBe('10');
  });

  it('runs one rollout at a time, and a flag set by hand stops it with a notice', async () => {
    expect((await tpi('flag', 'set', 'off')).code).toBe(0);
    expect((await tpi('rollout', 'start', '--steps', '10,50', '--wait', '60s', '--slice', '1s')).code).toBe(
      0,
    );
    const second = await tpi('rollout', 'start', '--steps', '20', '--wait', '1s');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in progress/);

    const set = await tpi('flag', 'set', '30');
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/stopped: the flag was set by hand/);
    expect(await status()).toMatchObject({ state: 'ABORTED', error: 'RolloutAborted' });
    expect(await flag()).toBe('30');
  });
});
