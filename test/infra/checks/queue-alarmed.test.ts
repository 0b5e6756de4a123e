import { Duration } from 'aws-cdk-lib';
import { Alarm, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { findingsOf, ofRule } from './support.ts';

const onAnyMessage = { threshold: 0, evaluationPeriods: 1 };

describe('TpiLimits-QueueAlarmed', () => {
  it('finds a queue no alarm reads, even when another queue is alarmed', () => {
    const found = ofRule(
      findingsOf((stack) => {
        new Queue(stack, 'Unwatched');
        const watched = new Queue(stack, 'Watched');
        watched
          .metricApproximateNumberOfMessagesVisible()
          .createAlarm(stack, 'WatchedMessages', onAnyMessage);
      }),
      'QueueAlarmed',
    );

    expect(found.map((f) => f.path)).toEqual(['Checks/Unwatched/Resource']);
    expect(found[0]?.message).toMatch(/ApproximateNumberOfMessagesVisible/);
  });

  it("passes a queue read by a metric-math alarm's MetricStat", () => {
    const found = ofRule(
      findingsOf((stack) => {
        const queue = new Queue(stack, 'GivenUp');
        new Alarm(stack, 'ErrorRate', {
          metric: new MathExpression({
            expression: '100 * FILL(givenUp, 0) / handled',
            usingMetrics: {
              givenUp: queue.metricNumberOfMessagesSent({ period: Duration.minutes(5) }),
              handled: new Metric({ namespace: 'Test', metricName: 'Handled', period: Duration.minutes(5) }),
            },
          }),
          ...onAnyMessage,
        });
      }),
      'QueueAlarmed',
    );

    expect(found).toEqual([]);
  });

  it('passes a named queue alarmed by its literal name', () => {
    const found = ofRule(
      findingsOf((stack) => {
        new Queue(stack, 'Named', { queueName: 'erasure-requests' });
        new Alarm(stack, 'ByName', {
          metric: new Metric({
            namespace: 'AWS/SQS',
            metricName: 'ApproximateAgeOfOldestMessage',
            dimensionsMap: { QueueName: 'erasure-requests' },
            statistic: 'Maximum',
          }),
          ...onAnyMessage,
        });
      }),
      'QueueAlarmed',
    );

    expect(found).toEqual([]);
  });
});
