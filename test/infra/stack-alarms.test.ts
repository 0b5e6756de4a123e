import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRIC } from '../../lambda/shared/observability.ts';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

describe('the default stage', () => {
  const s = synthesizeForSuite();

  describe('alarms', () => {
    const alarms = () => Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm'));

    it('alarms on any message visible in any dead-letter or failure queue', () => {
      const queueAlarms = alarms().filter(
        (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
      );
      // Delivery, recording and statistics failures, the rollback's two queues, erasure dead letters.
      expect(queueAlarms).toHaveLength(6);
      for (const alarm of queueAlarms)
        expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    });

    it('alarms when given-up events miss the delivery queue, reading the custom bus rules with their bus', () => {
      type Query = { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string }[] } } };
      const [alarm] = alarms().filter((a) => String(a.Properties.AlarmDescription).includes('they are lost'));
      const queries = (alarm?.Properties.Metrics ?? []) as Query[];
      const stats = queries.map((m) => m.MetricStat?.Metric).filter((m) => m !== undefined);
      expect(stats).toHaveLength(s.stack.rules.length);
      for (const metric of stats) {
        expect(metric.MetricName).toBe('InvocationsFailedToBeSentToDlq');
        expect(metric.Dimensions.map((d) => d.Name).sort()).toEqual(['EventBusName', 'RuleName']);
      }
    });

    it('alarms on any idempotency conflict of this stage', () => {
      const [alarm] = alarms().filter((a) => a.Properties.MetricName === METRIC.conflict);
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'TournamentProfileIntegration',
        Dimensions: [{ Name: 'service', Value: 'tournament-profile-integration' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms when the statistics lag the stream by more than the configured age', () => {
      const [alarm] = alarms().filter((a) => a.Properties.MetricName === 'IteratorAge');
      expect(alarm?.Properties).toMatchObject({ Threshold: 300_000, Statistic: 'Maximum' });
    });

    it('alarms on throttles of either function', () => {
      const throttles = alarms().filter((a) => a.Properties.MetricName === 'Throttles');
      expect(throttles.map((a) => (a.Properties.Dimensions as { Value: unknown }[])[0]?.Value)).toEqual(
        expect.arrayContaining([
          { Ref: s.logicalId(s.stack.recordingFunction.function) },
          { Ref: s.logicalId(s.stack.statisticsFunction.function) },
        ]),
      );
      for (const alarm of throttles) expect(alarm.Properties.Threshold).toBe(0);
    });

    it('alarms on every queue of the stack: dead letters at the first message, erasure requests by age', () => {
      const queues = Object.keys(resourcesOf(s.template, 'AWS::SQS::Queue'));
      const watched = new Set(
        alarms()
          .filter((a) => a.Properties.Namespace === 'AWS/SQS')
          .map(
            (a) =>
              (a.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string] } }[])[0]?.Value['Fn::GetAtt'][0],
          ),
      );
      expect([...watched].sort()).toEqual(queues.sort());
      s.hasProperties(s.stack.erasureService.alarms[0] as never, 'AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        Threshold: 3600,
      });
    });

    it('pages without rolling back on everything but the four stop conditions', () => {
      const conditions = s.stack.stopConditions;
      const children = new Set(conditions.alarms.map((alarm) => s.logicalId(alarm)));
      const rules = Object.values(resourcesOf(s.template, 'AWS::CloudWatch::CompositeAlarm')).map((c) =>
        JSON.stringify(c.Properties.AlarmRule),
      );
      const referenced = new Set(
        rules.flatMap((rule) => [...rule.matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map((m) => m[1])),
      );
      for (const alarm of s.stack.monitoring.pagingAlarms)
        expect(referenced.has(s.logicalId(alarm))).toBe(false);
      for (const id of Object.keys(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')))
        expect(referenced.has(id), id).toBe(children.has(id));
      // Paging alarms of every kind the plan does not name: dead letters, invalid events,
      // conflicts, throttles, lag, a queued backlog, the audit, the read API, the rollback path.
      const paging = [
        ...s.stack.monitoring.pagingAlarms,
        ...s.stack.rollout.alarms,
        ...s.stack.profileApi.alarms,
        ...s.stack.erasureService.alarms,
      ].map((alarm) => s.logicalId(alarm));
      for (const prefix of [
        'MonitoringDeliveryDeadLettersMessages',
        'MonitoringInvalidEvents',
        'MonitoringIdempotencyConflicts',
        'MonitoringRecordingThrottles',
        'MonitoringStatisticsIteratorAge',
        'MonitoringRecordingAsyncEventAge',
        'ProfileApiServerErrors',
        'ProfileApiLatency',
      ])
        expect(
          paging.some((id) => id.startsWith(prefix)),
          prefix,
        ).toBe(true);
    });

    it('alarms on the read API: 5xx share and p90 latency, paging only', () => {
      const [errors, latency] = s.stack.profileApi.alarms;
      s.hasProperties(errors as never, 'AWS::CloudWatch::Alarm', {
        Threshold: 5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(FILL(requests, 0) >= 5, 100 * FILL(errors, 0) / requests, 0)' }),
          Match.objectLike({
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '5xx' }) }),
          }),
        ]),
      });
      s.hasProperties(latency as never, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        ExtendedStatistic: 'p90',
        Threshold: 2500,
      });
    });

    it('notifies nobody unless an address is configured', () => {
      s.template.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('draws the dashboard from the shared metric names', () => {
      const [dashboard] = Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard?.Properties.DashboardBody);
      for (const name of [
        METRIC.recorded,
        METRIC.duplicate,
        METRIC.conflict,
        METRIC.skipped,
        METRIC.invalid,
        METRIC.statsApplied,
        'Duration',
      ])
        expect(body).toContain(`\\"${name}\\"`);
    });
  });
});
