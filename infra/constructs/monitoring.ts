import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../../lambda/adapters/observability.ts';

/** Recording error rate, in percent of invocations, above which the rollout must stop. */
export const ERROR_RATE_THRESHOLD_PERCENT = 0.1;

const PERIOD = Duration.minutes(5);

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  readonly recordingFunction: IFunction;
  readonly statisticsFunction: IFunction;
  /** Every queue where undeliverable or failed messages wait, by a short label. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Powertools `service` dimension of the integration's metrics. */
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly iteratorAgeAlarmSeconds: number;
  /** When set, alarms notify this address through an encrypted SNS topic. */
  readonly alarmEmail?: string | undefined;
}

/**
 * Alarms and the dashboard. The stop-condition alarms are the ones a rollout watches: while any of
 * them is in ALARM the flag must not be raised further (see docs/deploy.md).
 */
export class Monitoring extends Construct {
  /** Alarms that mean "stop (or roll back) the rollout". */
  readonly stopConditionAlarms: readonly IAlarm[];
  /** Alarms that need an operator but say nothing about the rollout's safety. */
  readonly otherAlarms: readonly IAlarm[];
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const recording = props.recordingFunction;
    const statistics = props.statisticsFunction;
    // Labels only on graphs: an alarm on a labelled metric becomes a metric-math alarm.
    const business = (metricName: string, label?: string) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Sum',
        period: PERIOD,
        ...(label ? { label } : {}),
      });

    const errorRate = new MathExpression({
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      usingMetrics: {
        errors: recording.metricErrors({ statistic: 'Sum', period: PERIOD }),
        invocations: recording.metricInvocations({ statistic: 'Sum', period: PERIOD }),
      },
      period: PERIOD,
      label: 'Recording errors (% of invocations)',
    });
    const stop: Alarm[] = [
      errorRate.createAlarm(this, 'RecordingErrorRate', {
        alarmDescription: `More than ${ERROR_RATE_THRESHOLD_PERCENT}% of recording invocations failed in 5 minutes. Stop the rollout, read the recording function's error logs; events are retried and end on the recording failure queue.`,
        threshold: ERROR_RATE_THRESHOLD_PERCENT,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...Object.entries(props.deadLetterQueues).map(([label, queue]) =>
        queue
          .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) })
          .createAlarm(this, `${label}Messages`, {
            alarmDescription: `Messages wait in the ${label} queue: events or records that could not be processed. Inspect and redrive them (docs/deploy.md, "Dead letters").`,
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
      business(METRIC.conflict).createAlarm(this, 'IdempotencyConflicts', {
        alarmDescription:
          'A publisher reused an idempotency key for a different action; nothing was overwritten. Find the key in the recording logs ("idempotency conflict") and fix the publisher.',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      statistics
        .metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) })
        .createAlarm(this, 'StatisticsIteratorAge', {
          alarmDescription: `Statistics lag the activity stream by more than ${props.iteratorAgeAlarmSeconds} s. Check the statistics function's errors and throttles; records older than the stream retention are lost.`,
          threshold: props.iteratorAgeAlarmSeconds * 1000,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ...(
        [
          ['Recording', recording],
          ['Statistics', statistics],
        ] as const
      ).map(([label, fn]) =>
        fn.metricThrottles({ statistic: 'Sum', period: PERIOD }).createAlarm(this, `${label}Throttles`, {
          alarmDescription: `The ${label} function was throttled. Raise the account's concurrency quota or the function's reserved concurrency; throttled work is retried.`,
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
    ];
    const other: Alarm[] = [
      business(METRIC.flagMisconfigured).createAlarm(this, 'FlagMisconfigured', {
        alarmDescription:
          'The flag parameter holds a value that is not off/on/false/true/0-100, so the integration is off. Put a valid value (docs/deploy.md, "Rollout").',
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    this.stopConditionAlarms = stop;
    this.otherAlarms = other;

    if (props.alarmEmail) {
      // CloudWatch can only publish to an encrypted topic whose key lets it: the AWS-managed SNS
      // key does not, hence a customer-managed key with rotation.
      const key = new Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the tournament profile integration alarm topic',
        enableKeyRotation: true,
      });
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
      const action = new SnsAction(this.alarmTopic);
      for (const alarm of [...stop, ...other]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, metrics: Metric[], width = 8) =>
      new GraphWidget({ title, left: metrics, width, height: 6 });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...stop, ...other], width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
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
    this.dashboard.addWidgets(
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
        title: 'Recording error rate and statistics lag',
        left: [errorRate],
        right: [statistics.metric('IteratorAge', { statistic: 'Maximum', label: 'Iterator age (ms)' })],
        width: 8,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Dead letters waiting',
        Object.entries(props.deadLetterQueues).map(([label, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label }),
        ),
        24,
      ),
    );
  }
}
