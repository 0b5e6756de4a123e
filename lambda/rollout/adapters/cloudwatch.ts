import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { MAX_DESCRIBE_ALARM_NAMES } from '../../shared/contract/limits.ts';
import { METRIC } from '../../shared/observability.ts';
import type { AlarmChild, AlarmDirectory, AlarmRecord } from '../application/stop-conditions.ts';
import type { AlarmState } from '../domain/rollout.ts';
import { RolloutAwsError } from '../errors.ts';

/**
 * The rollout's CloudWatch: the stop conditions' alarms (`DescribeAlarms`) and the included events a
 * step handled (`GetMetricData`). `DescribeAlarms` returns composite alarms only to a caller whose
 * permission is scoped to `*` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
 */

type Alarm = MetricAlarm | CompositeAlarm;

async function pages(
  cloudWatch: CloudWatchClient,
  input: ConstructorParameters<typeof DescribeAlarmsCommand>[0],
): Promise<{ metric: MetricAlarm[]; composite: CompositeAlarm[] }> {
  const metric: MetricAlarm[] = [];
  const composite: CompositeAlarm[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await cloudWatch.send(new DescribeAlarmsCommand({ ...input, NextToken }));
      metric.push(...(page.MetricAlarms ?? []));
      composite.push(...(page.CompositeAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    throw new RolloutAwsError(
      'cannot read the stop conditions (cloudwatch:DescribeAlarms): check the role, whose permission must be on "*" to see composite alarms',
      { cause: error },
    );
  }
  return { metric, composite };
}

const stateOf = (alarm: Alarm): AlarmState['state'] =>
  (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState['state'];

/**
 * CloudWatch as the stop conditions read it: named alarms (`AlarmNames`, at most 100 a request), and
 * a composite's children (`ChildrenOfAlarmName`, which "cannot specify any other parameters in the
 * request except for MaxRecords and NextToken" and returns only names and states).
 */
export function cloudWatchAlarms(cloudWatch: CloudWatchClient): AlarmDirectory {
  return {
    async describe(names) {
      const found: AlarmRecord[] = [];
      for (let i = 0; i < names.length; i += MAX_DESCRIBE_ALARM_NAMES) {
        const AlarmNames = names.slice(i, i + MAX_DESCRIBE_ALARM_NAMES);
        const { metric, composite } = await pages(cloudWatch, {
          AlarmNames,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        });
        for (const alarm of metric)
          found.push({ name: alarm.AlarmName ?? '', state: stateOf(alarm), reason: alarm.StateReason });
        for (const alarm of composite)
          found.push({
            name: alarm.AlarmName ?? '',
            state: stateOf(alarm),
            reason: alarm.StateReason,
            rule: alarm.AlarmRule ?? '',
          });
      }
      return found;
    },
    async children(compositeName) {
      const { metric, composite } = await pages(cloudWatch, { ChildrenOfAlarmName: compositeName });
      const child = (alarm: Alarm, isComposite: boolean): AlarmChild => ({
        name: alarm.AlarmName ?? '',
        state: stateOf(alarm),
        composite: isComposite,
      });
      return [...metric.map((a) => child(a, false)), ...composite.map((a) => child(a, true))];
    },
  };
}

/** Where the integration's own metrics are: the namespace and the `service` dimension. */
export interface IntegrationMetrics {
  readonly namespace: string;
  readonly service: string;
}

/**
 * Events with a user the flag includes (`IncludedEvents`, Sum) since `sinceMs`, from CloudWatch,
 * in periods long enough that the span needs at most about 1,000 datapoints.
 */
export async function includedEventsSince(
  cloudWatch: CloudWatchClient,
  metrics: IntegrationMetrics,
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
              Id: 'included',
              MetricStat: {
                Metric: {
                  Namespace: metrics.namespace,
                  MetricName: METRIC.included,
                  Dimensions: [{ Name: 'service', Value: metrics.service }],
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
    throw new RolloutAwsError('cannot read the included events (cloudwatch:GetMetricData): check the role', {
      cause: error,
    });
  }
  return total;
}
