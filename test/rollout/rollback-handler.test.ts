import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmStateChangeDetail, handler as Handler } from '../../lambda/rollout/rollback-handler.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';

const FLAG = '/test/rollback/flag';
let endpoint: LocalEndpoint;
let handler: typeof Handler;

function alarmEvent(alarmName: string, value = 'ALARM') {
  return {
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    detail: { alarmName, state: { value, reason: 'Threshold Crossed: 1 datapoint [3.0] > 0.1' } },
  } as EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>;
}

beforeAll(async () => {
  // The handler's SSM client takes its endpoint from the environment: the local SSM API.
  endpoint = await startLocalEndpoint();
  process.env.AWS_ENDPOINT_URL_SSM = endpoint.url;
  process.env.FLAG_PARAMETER_NAME = FLAG;
  process.env.ROLLBACK_ALARMS = 'Stack-RecordingErrorRate,Stack-IdempotencyConflicts';
  ({ handler } = await import('../../lambda/rollout/rollback-handler.ts'));
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SSM;
  await endpoint?.close();
});

describe('the rollback function', () => {
  it('saves the flag and turns it off when a stop condition goes into ALARM', async () => {
    endpoint.parameters.put(FLAG, '50', { overwrite: true });
    const result = await handler(alarmEvent('Stack-RecordingErrorRate'));
    expect(result).toMatchObject({ alarm: 'Stack-RecordingErrorRate', rolledBack: true, previous: '50' });
    expect(result.message).toContain('tpi flag restore');
    expect(endpoint.parameters.get(FLAG)?.value).toBe('off');
    expect(endpoint.parameters.get(`${FLAG}/previous`)?.value).toBe('50');

    // A second alarm finds the flag off and keeps the saved value.
    expect(await handler(alarmEvent('Stack-IdempotencyConflicts'))).toMatchObject({ rolledBack: false });
    expect(endpoint.parameters.get(`${FLAG}/previous`)?.value).toBe('50');
  });

  it('leaves the flag alone for an alarm that is not a stop condition', async () => {
    endpoint.parameters.put(FLAG, 'on', { overwrite: true });
    expect(await handler(alarmEvent('Stack-FlagMisconfigured'))).toMatchObject({ rolledBack: false });
    expect(await handler(alarmEvent('Stack-RecordingErrorRate', 'OK'))).toMatchObject({ rolledBack: false });
    expect(endpoint.parameters.get(FLAG)?.value).toBe('on');
  });
});
