import { Duration, type Stack } from 'aws-cdk-lib';
import { Alarm, type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { findingsOf, ofRule } from './support.ts';

const metric = (namespace: string, metricName: string, statistic: string) =>
  new Metric({
    namespace,
    metricName,
    statistic,
    period: Duration.minutes(5),
    dimensionsMap: { TableName: 't' },
  });

const alarmOn = (stack: Stack, id: string, watched: IMetric) =>
  new Alarm(stack, id, { metric: watched, threshold: 1, evaluationPeriods: 1 });

const statisticFindings = (build: (stack: Stack) => void) => ofRule(findingsOf(build), 'AlarmStatistic');

describe('TpiLimits-AlarmStatistic', () => {
  it('finds a percentile of DynamoDB latency, which DynamoDB does not publish', () => {
    const found = statisticFindings((stack) =>
      alarmOn(stack, 'Latency', metric('AWS/DynamoDB', 'SuccessfulRequestLatency', 'p99')),
    );

    expect(found.map((f) => f.rule)).toEqual([
      'TpiLimits-AlarmStatistic[AWS/DynamoDB/SuccessfulRequestLatency/p99]',
    ]);
    expect(found[0]?.message).toMatch(/never receives data.*Use Maximum/);
  });

  it("finds it in a metric-math alarm's MetricStat, naming each query that asks for it", () => {
    const found = statisticFindings((stack) =>
      alarmOn(
        stack,
        'AcrossOperations',
        new MathExpression({
          expression: 'MAX([FILL(op0, 0), FILL(op1, 0)])',
          usingMetrics: {
            op0: metric('AWS/DynamoDB', 'SuccessfulRequestLatency', 'p99'),
            op1: metric('AWS/DynamoDB', 'SuccessfulRequestLatency', 'p99'),
          },
          period: Duration.minutes(5),
        }),
      ),
    );

    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/^Metrics\[\d\] \(op0\), Metrics\[\d\] \(op1\): Asks AWS\/DynamoDB/);
  });

  it('passes the statistics DynamoDB publishes, percentiles of Lambda Duration and of custom metrics', () => {
    const found = statisticFindings((stack) => {
      alarmOn(stack, 'Max', metric('AWS/DynamoDB', 'SuccessfulRequestLatency', 'Maximum'));
      alarmOn(stack, 'Avg', metric('AWS/DynamoDB', 'SuccessfulRequestLatency', 'Average'));
      alarmOn(stack, 'Duration', metric('AWS/Lambda', 'Duration', 'p99'));
      alarmOn(stack, 'Custom', metric('TournamentProfileIntegration', 'PublishFailures', 'p90'));
      alarmOn(stack, 'Queue', metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum'));
    });

    expect(found).toEqual([]);
  });

  it('finds a percentile of a Lambda metric other than Duration, and of an SQS or Step Functions metric', () => {
    const found = statisticFindings((stack) => {
      alarmOn(stack, 'Errors', metric('AWS/Lambda', 'Errors', 'p99'));
      alarmOn(stack, 'Age', metric('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'tm90'));
      alarmOn(stack, 'Time', metric('AWS/States', 'ExecutionTime', 'p50'));
    });

    expect(found.map((f) => f.rule).sort()).toEqual([
      'TpiLimits-AlarmStatistic[AWS/Lambda/Errors/p99]',
      'TpiLimits-AlarmStatistic[AWS/SQS/ApproximateAgeOfOldestMessage/tm90]',
      'TpiLimits-AlarmStatistic[AWS/States/ExecutionTime/p50]',
    ]);
  });

  it('warns about an AWS namespace the table has no row for', () => {
    const found = statisticFindings((stack) =>
      alarmOn(stack, 'Kinesis', metric('AWS/Kinesis', 'GetRecords.Latency', 'p99')),
    );

    expect(found.map((f) => [f.rule, f.severity])).toEqual([
      ['TpiLimits-AlarmStatistic[unlisted:AWS/Kinesis]', 'warning'],
    ]);
  });
});
