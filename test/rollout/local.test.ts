import { randomUUID } from 'node:crypto';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivityWriter } from '../../lambda/recording/application/ports.ts';
import type { RolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import { rolloutStateParameterName } from '../../lambda/rollout/constants.ts';
import { METRIC } from '../../lambda/shared/observability.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { exampleDetail } from '../support/events.ts';
import { publishTo, tpi as runTpi } from '../support/local-stack.ts';
import { waitFor } from '../support/wait.ts';

let stack: LocalStack;
let ssm: SSMClient;
let cloudWatch: CloudWatchClient;
const PLATFORM_ALARM = 'PaymentsDown';

/** Runs the CLI in process against this file's stack. */
const tpi = (...args: string[]) => runTpi(stack, ...args);

async function status(): Promise<RolloutView> {
  const { code, stdout } = await tpi('rollout', 'status', '--json');
  expect(code).toBe(0);
  return JSON.parse(stdout) as RolloutView;
}

const ended = () =>
  waitFor('the rollout to end', async () => {
    const view = await status();
    return view.state === 'RUNNING' ? undefined : view;
  });

async function flag(): Promise<string | undefined> {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: stack.flagParameterName }));
  return Parameter?.Value;
}

/** The platform's alarm, set with CloudWatch's own API on the local endpoint. */
const platformAlarm = (StateValue: 'OK' | 'ALARM') =>
  cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: PLATFORM_ALARM, StateValue, StateReason: `webhook ${StateValue}` }),
  );

/** Recording fails on every event of the tournament `poison`: its deliveries are given up. */
const poisoned = (writer: ActivityWriter): ActivityWriter => ({
  putIfAbsent: async (activity) => {
    if (activity.tournamentId === 'poison')
      throw Object.assign(new Error('simulated'), { name: 'InternalServerError' });
    return writer.putIfAbsent(activity);
  },
});

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
    platformAlarms: [PLATFORM_ALARM],
    deliveryAttempts: 2,
    retryBaseMs: 50,
    wrapActivities: poisoned,
    log: (line) => stackLines.push(line),
  });
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
  cloudWatch = new CloudWatchClient({ ...LOCAL_AWS, endpoint: stack.endpoint });
});

afterAll(async () => {
  ssm?.destroy();
  cloudWatch?.destroy();
  await stack?.stop();
});

describe('local progressive rollout through tpi', () => {
  it('refuses to start while a platform alarm the stop conditions name does not exist, naming it', async () => {
    const refused = await tpi('rollout', 'start', '--steps', '10', '--wait', '1s');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`${PLATFORM_ALARM} \\(named by local-StopConditions-TournamentOperations\\)`),
    );
    expect(await flag()).toBe('off');
  });

  it('raises the flag 10 → 25 → 50 → 100 with second-long holds, finishes, and stays armed for the bake', async () => {
    await platformAlarm('OK');

    const started = await tpi(
      'rollout',
      'start',
      '--steps',
      '10,25,50,100',
      '--wait',
      '1s',
      '--slice',
      '1s',
      '--bake',
      '2s',
      '--json',
    );
    const finished = await ended();

    expect(started.code).toBe(0);
    expect(finished).toMatchObject({ state: 'SUCCEEDED', step: 4, percentage: 100, flag: 'on' });
    expect(raises()).toEqual(['10', '25', '50', 'on']);
    const state =
      stack.outputs().FlagParameterName &&
      JSON.parse(
        (
          await ssm.send(
            new GetParameterCommand({ Name: rolloutStateParameterName(stack.flagParameterName) }),
          )
        ).Parameter?.Value ?? '{}',
      );
    expect(state.armedUntil).toBeGreaterThan(Date.now());
  });

  it('after 100 % and the bake: an invalid event, a dead-lettered delivery, a conflict and a stop condition page but leave the flag on', async () => {
    // Prepare: the bake of the rollout above has ended.
    const armedUntil = JSON.parse(
      (await ssm.send(new GetParameterCommand({ Name: rolloutStateParameterName(stack.flagParameterName) })))
        .Parameter?.Value ?? '{}',
    ).armedUntil as number;
    await waitFor('the bake to end', () => Date.now() > armedUntil);
    const store = stack.cloudWatch.metrics.store;
    const count = (metricName: string, source: 'integration' | 'AWS/SQS' = 'integration') =>
      store.sumSince(
        source === 'integration'
          ? { source, metricName, dimensions: { service: 'service' } }
          : { source, metricName, dimensions: { QueueName: 'delivery-dead-letters' } },
        0,
      );

    // Act
    const finalized = exampleDetail('MatchFinalized', { matchId: `m${randomUUID().slice(0, 8)}` });
    await publishTo(stack, [
      { detailType: 'MatchFinalized', detail: { occurredAt: '2026-05-01T12:00:00Z' } },
      {
        detailType: 'MatchFinalized',
        detail: { ...exampleDetail('MatchFinalized'), tournamentId: 'poison' },
      },
      { detailType: 'MatchFinalized', detail: finalized },
    ]);
    await stack.settled();
    await publishTo(stack, [
      { detailType: 'MatchFinalized', detail: { ...finalized, resolution: 'completed', extra: 'changed' } },
    ]);
    await stack.settled();
    await platformAlarm('ALARM');
    await waitFor('the rollback function to page', () =>
      stack.rollback.outcomes.find((o) => o.action === 'paged'),
    );
    await stack.rollback.idle();

    // Assess: each one reached the metric its paging alarm reads; nothing rolled back.
    expect(count(METRIC.invalid)).toBeGreaterThan(0);
    expect(count('NumberOfMessagesSent', 'AWS/SQS')).toBeGreaterThan(0);
    expect(count(METRIC.conflict)).toBeGreaterThan(0);
    expect(stack.rollback.outcomes.some((o) => o.action === 'rolled-back')).toBe(false);
    expect(await flag()).toBe('on');
    await platformAlarm('OK');
  });

  it('refuses `flag set 50` while a stop condition is in ALARM, naming it; --force --reason raises and is left alone', async () => {
    // Prepare: the flag at 10, a rollout armed, the platform's alarm in ALARM.
    expect((await tpi('flag', 'set', '10')).code).toBe(0);
    await platformAlarm('ALARM');

    // Act
    const refused = await tpi('flag', 'set', '50');
    const forced = await tpi(
      'flag',
      'set',
      '50',
      '--force',
      '--reason',
      'platform alarm is a false positive (INC-7)',
    );
    await stack.rollback.idle();

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /refusing to raise the flag from 10 to 50: stop condition\(s\) in ALARM: PaymentsDown \(tournament-operations\)/,
    );
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/raised with --force over .*PaymentsDown.*INC-7/);
    expect(await flag()).toBe('50');
    expect(stack.rollback.outcomes.at(-1)).toMatchObject({ action: 'left-forced' });
    await platformAlarm('OK');
    expect((await tpi('flag', 'set', 'off')).code).toBe(0);
  });

  it('rolls back to off when a stop condition fires during a step, saving the step, and flag restore puts it back', async () => {
    // Prepare: a rollout at its first step (10 %), holding.
    const started = await tpi(
      'rollout',
      'start',
      '--steps',
      '10,50',
      '--wait',
      '60s',
      '--slice',
      '1s',
      '--json',
    );
    expect(started.code).toBe(0);
    expect(await flag()).toBe('10');
    const before = stack.rollback.outcomes.length;

    // Act
    await platformAlarm('ALARM');
    const view = await ended();
    await stack.rollback.idle();

    // Assess: whichever saw the ALARM first (the step at its check, or the rollback function on the
    // alarm's change) turned the flag off naming the platform's alarm, and saved the step's 10,
    // which the restore below puts back once the alarm clears.
    expect(view).toMatchObject({ state: 'FAILED', error: 'RolloutRolledBack', flag: 'off' });
    expect(await flag()).toBe('off');
    const firing = [view.stopCondition, ...stack.rollback.outcomes.slice(before).map((o) => o.firing)];
    expect(firing.join(' ')).toContain(PLATFORM_ALARM);
    expect((await tpi('flag', 'restore')).code).toBe(1);
    await platformAlarm('OK');
    const restored = await tpi('flag', 'restore', '--json');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ value: '10' });
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
