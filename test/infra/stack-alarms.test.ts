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
      // Delivery, recording and statistics failures, and the rollback's two queues.
      expect(queueAlarms).toHaveLength(5);
      for (const alarm of queueAlarms)
        expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
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

    it('exposes the stop-condition alarms for a rollout to watch', () => {
      // The four stop conditions, plus the 3 queues, invalid events, unreachable DLQ, conflicts,
      // iterator age and the 2 functions' throttles.
      expect(s.stack.rollbackAlarms).toHaveLength(s.stack.stopConditions.conditions.length + 9);
      const ids = new Set(Object.keys(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')));
      for (const alarm of s.stack.rollbackAlarms) expect(ids.has(s.logicalId(alarm))).toBe(true);
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
