import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC } from '../../lambda/shared/observability.ts';

/** One of the integration's own metrics, with a label when it is drawn on a graph. */
export type BusinessMetric = (metricName: string, label?: string) => Metric;

/** What the dashboard draws. */
export interface DashboardSources {
  readonly recordingFunction: IFunction;
  readonly statisticsFunction: IFunction;
  /** Every queue where undeliverable or failed messages wait, by a short label. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly business: BusinessMetric;
  /** Shown in one status widget at the top. */
  readonly alarms: readonly IAlarm[];
}

/**
 * The integration's dashboard, as a child `Dashboard` of `scope`: alarm states on top, then what
 * was recorded, the statistics and latency, and the dead letters waiting.
 */
export function addDashboard(scope: Construct, sources: DashboardSources): Dashboard {
  const { business, recordingFunction: recording, statisticsFunction: statistics } = sources;
  const dashboard = new Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  const graph = (title: string, metrics: Metric[], width = 8) =>
    new GraphWidget({ title, left: metrics, width, height: 6 });
  dashboard.addWidgets(
    new AlarmStatusWidget({ title: 'Alarms', alarms: [...sources.alarms], width: 24, height: 6 }),
  );
  dashboard.addWidgets(
    graph('Recorded', [business(METRIC.recorded, 'Activities recorded')]),
    graph('Duplicates and conflicts', [
      business(METRIC.duplicate, 'Duplicates'),
      business(METRIC.conflict, 'Conflicts'),
    ]),
    graph('Skipped by flag and invalid', [
      business(METRIC.skipped, 'Skipped by flag'),
      business(METRIC.invalid, 'Invalid events'),
    ]),
  );
  dashboard.addWidgets(
    graph('Statistics applied', [
      business(METRIC.statsApplied, 'Applied'),
      business(METRIC.statsAlreadyApplied, 'Already applied'),
      business(METRIC.statsFailed, 'Failed'),
    ]),
    graph('Latency (duration)', [
      recording.metricDuration({ statistic: 'p50', label: 'Recording p50' }),
      recording.metricDuration({ statistic: 'p99', label: 'Recording p99' }),
      statistics.metricDuration({ statistic: 'p50', label: 'Statistics p50' }),
      statistics.metricDuration({ statistic: 'p99', label: 'Statistics p99' }),
    ]),
    new GraphWidget({
      title: 'Recording errors and statistics lag',
      left: [recording.metricErrors({ statistic: 'Sum', label: 'Recording errors' })],
      right: [statistics.metric('IteratorAge', { statistic: 'Maximum', label: 'Iterator age (ms)' })],
      width: 8,
      height: 6,
    }),
  );
  dashboard.addWidgets(
    graph(
      'Dead letters waiting',
      Object.entries(sources.deadLetterQueues).map(([label, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label }),
      ),
      24,
    ),
  );
  return dashboard;
}
