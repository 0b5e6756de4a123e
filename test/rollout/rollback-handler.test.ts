import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forceDescription } from '../../lambda/rollout/domain/force.ts';
import type { handler as Handler, RollbackEvent } from '../../lambda/rollout/rollback-handler.ts';
import { LocalAlarms } from '../../local/alarm-evaluator.ts';
import { cloudWatchOperations } from '../../local/cloudwatch.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';
import { LocalMetricStore } from '../../local/metric-store.ts';
import { addLocalStopConditions, type LocalAlarmNames, localAlarmName } from '../../local/stop-conditions.ts';

/**
 * The deployed rollback handler, unchanged, against the local endpoint's SSM and CloudWatch APIs:
 * its adapters read the stop conditions with `DescribeAlarms` (`ChildrenOfAlarmName`) and the flag's
 * versions with `GetParameterHistory`, as they do on AWS.
 */

const FLAG = '/test/rollback/flag';
const STATE = `${FLAG}/rollout-state`;
let endpoint: LocalEndpoint;
let alarms: LocalAlarms;
let names: LocalAlarmNames;
let handler: typeof Handler;

const alarmEvent = (alarmName: string, value = 'ALARM') =>
  ({
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    detail: { alarmName, state: { value, reason: 'Threshold Crossed' } },
  }) as RollbackEvent;
const flagEvent = () =>
  ({
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    detail: { name: FLAG, operation: 'Update' },
  }) as RollbackEvent;

/** Puts the flag as an operator with `aws ssm put-parameter` would, signed as `user`. */
async function putAs(user: string, value: string, description?: string): Promise<void> {
  const ssm = new SSMClient({
    region: 'us-east-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: user, secretAccessKey: 'x' },
  });
  await ssm.send(
    new PutParameterCommand({
      Name: FLAG,
      Value: value,
      Overwrite: true,
      ...(description ? { Description: description } : {}),
    }),
  );
  ssm.destroy();
}

beforeAll(async () => {
  alarms = new LocalAlarms({ store: new LocalMetricStore() });
  names = addLocalStopConditions(alarms, { auditPeriodSeconds: 300, platformAlarms: ['PaymentsDown'] });
  endpoint = await startLocalEndpoint({ operations: cloudWatchOperations(alarms) });
  process.env.AWS_ENDPOINT_URL_SSM = endpoint.url;
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH = endpoint.url;
  process.env.FLAG_PARAMETER_NAME = FLAG;
  process.env.STOP_CONDITIONS_ALARM_NAME = names.stopConditions;
  process.env.ROLLOUT_STATE_PARAMETER_NAME = STATE;
  ({ handler } = await import('../../lambda/rollout/rollback-handler.ts'));
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SSM;
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  await endpoint?.close();
});

beforeEach(() => {
  alarms.setAlarmState(localAlarmName('IntegrationErrorRate'), 'OK', 'back to normal');
  alarms.setAlarmState('PaymentsDown', 'OK', 'back to normal');
});

const arm = (until: number) =>
  endpoint.parameters.put(STATE, JSON.stringify({ armedUntil: until }), { overwrite: true });

describe('the rollback function', () => {
  it('while armed, saves the flag and turns it off, naming the stop condition that fired', async () => {
    // Prepare
    arm(Date.now() + 3_600_000);
    endpoint.parameters.put(FLAG, '50', { overwrite: true });
    alarms.setAlarmState('PaymentsDown', 'ALARM', 'webhook errors');

    // Act
    const result = await handler(alarmEvent(names.stopConditions));

    // Assess
    expect(result).toMatchObject({
      rolledBack: true,
      previous: '50',
      firing: 'PaymentsDown (tournament-operations): webhook errors',
    });
    expect(result.message).toContain('tpi flag restore');
    expect(endpoint.parameters.get(FLAG)?.value).toBe('off');
    expect(endpoint.parameters.get(`${FLAG}/previous`)?.value).toBe('50');
  });

  it('after the bake time, pages only and leaves the flag on', async () => {
    arm(Date.now() - 1000);
    endpoint.parameters.put(FLAG, 'on', { overwrite: true });
    alarms.setAlarmState(localAlarmName('IntegrationErrorRate'), 'ALARM', '2 of 3 periods above 0.1%');

    const result = await handler(alarmEvent(names.stopConditions));

    expect(result).toMatchObject({ action: 'paged', rolledBack: false });
    expect(endpoint.parameters.get(FLAG)?.value).toBe('on');
  });

  it('undoes a put-parameter raise made while armed and a stop condition is in ALARM, naming who made it', async () => {
    arm(Date.now() + 3_600_000);
    endpoint.parameters.put(FLAG, 'off', { overwrite: true });
    alarms.setAlarmState('PaymentsDown', 'ALARM', 'webhook errors');
    await putAs('ana', '50');

    const result = await handler(flagEvent());

    expect(result.rolledBack).toBe(true);
    expect(result.message).toContain('raised from off to 50 by arn:aws:iam::000000000000:user/ana');
    expect(endpoint.parameters.get(FLAG)?.value).toBe('off');
  });

  it('leaves a forced raise alone', async () => {
    arm(Date.now() + 3_600_000);
    endpoint.parameters.put(FLAG, 'off', { overwrite: true });
    alarms.setAlarmState('PaymentsDown', 'ALARM', 'webhook errors');
    const version = (endpoint.parameters.get(FLAG)?.version ?? 0) + 1;
    await putAs('ana', '50', forceDescription({ version, by: 'ana', reason: 'false positive' }));

    const result = await handler(flagEvent());

    expect(result).toMatchObject({ action: 'left-forced', rolledBack: false });
    expect(endpoint.parameters.get(FLAG)?.value).toBe('50');
  });

  it('leaves the flag alone for an alarm that is not the stop conditions, or not in ALARM', async () => {
    arm(Date.now() + 3_600_000);
    endpoint.parameters.put(FLAG, 'on', { overwrite: true });

    expect(await handler(alarmEvent('Stack-FlagMisconfigured'))).toMatchObject({ rolledBack: false });
    expect(await handler(alarmEvent(names.stopConditions, 'OK'))).toMatchObject({ rolledBack: false });
    expect(endpoint.parameters.get(FLAG)?.value).toBe('on');
  });
});
