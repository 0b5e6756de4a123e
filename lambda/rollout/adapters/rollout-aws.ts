import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { MAX_DESCRIBE_ALARM_NAMES } from '../../shared/contract/limits.ts';
import type { FlagPorts } from '../application/rollout.ts';
import type { AlarmState } from '../domain/rollout.ts';
import { RolloutAwsError } from '../errors.ts';

async function getValue(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw new RolloutAwsError(`cannot read SSM parameter ${name}: check the role's ssm:GetParameter`, {
      cause: error,
    });
  }
}

async function putValue(ssm: SSMClient, name: string, value: string): Promise<void> {
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  } catch (error) {
    throw new RolloutAwsError(`cannot write SSM parameter ${name}: check the role's ssm:PutParameter`, {
      cause: error,
    });
  }
}

/** The version of an SSM parameter (changes on every write), or `undefined` when it does not exist. */
export async function parameterVersion(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Version === undefined ? undefined : String(Parameter.Version);
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw new RolloutAwsError(`cannot read SSM parameter ${name}: check the role's ssm:GetParameter`, {
      cause: error,
    });
  }
}

/**
 * Invocations of `functionName` since `sinceMs`: the events the recording function handled, from
 * CloudWatch (`AWS/Lambda` `Invocations`, Sum), with at most 1,000 datapoints per request.
 */
export async function invocationsSince(
  cloudWatch: CloudWatchClient,
  functionName: string,
  sinceMs: number,
  now = Date.now(),
): Promise<number> {
  const spanSeconds = Math.max(60, Math.ceil((now - sinceMs) / 1000));
  const period = Math.max(60, Math.ceil(spanSeconds / 1000 / 60) * 60);
  let total = 0;
  let NextToken: string | undefined;
  try {
    do {
      const page = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(sinceMs),
          EndTime: new Date(now),
          NextToken,
          MetricDataQueries: [
            {
              Id: 'handled',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Invocations',
                  Dimensions: [{ Name: 'FunctionName', Value: functionName }],
                },
                Period: period,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      for (const result of page.MetricDataResults ?? []) for (const v of result.Values ?? []) total += v;
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    throw new RolloutAwsError('cannot read the events handled (cloudwatch:GetMetricData): check the role', {
      cause: error,
    });
  }
  return total;
}

/** The flag and its `previous` parameter in SSM Parameter Store. */
export function ssmFlagPorts(ssm: SSMClient, flagName: string, previousName: string): FlagPorts {
  return {
    readFlag: () => getValue(ssm, flagName),
    writeFlag: (value) => putValue(ssm, flagName, value),
    readPrevious: () => getValue(ssm, previousName),
    savePrevious: (value) => putValue(ssm, previousName, value),
  };
}

/**
 * States of exactly `names`, from CloudWatch. A named alarm CloudWatch does not know is reported as
 * INSUFFICIENT_DATA: a deleted alarm must not stop a rollout, but the status shows it.
 */
export async function describeAlarms(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
): Promise<AlarmState[]> {
  const found = new Map<string, AlarmState>();
  for (let i = 0; i < names.length; i += MAX_DESCRIBE_ALARM_NAMES) {
    const AlarmNames = names.slice(i, i + MAX_DESCRIBE_ALARM_NAMES);
    let NextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])])
        if (alarm.AlarmName)
          found.set(alarm.AlarmName, {
            name: alarm.AlarmName,
            state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState['state'],
            reason: alarm.StateReason,
          });
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return names.map(
    (name) =>
      found.get(name) ?? { name, state: 'INSUFFICIENT_DATA', reason: 'CloudWatch does not know this alarm' },
  );
}

/** ARNs of the machine's RUNNING executions other than `self`. */
export async function otherRunningExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  self: string | undefined,
): Promise<string[]> {
  const running: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }),
    );
    for (const execution of page.executions ?? [])
      if (execution.executionArn && execution.executionArn !== self) running.push(execution.executionArn);
    nextToken = page.nextToken;
  } while (nextToken);
  return running;
}
