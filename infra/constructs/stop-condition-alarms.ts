import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import {
  DEGRADATION_DATAPOINTS,
  DEGRADATION_EVALUATION_PERIODS,
  type StopConditionKind,
  type StopConditionSettings,
} from '../../lambda/rollout/constants.ts';
import { AUDIT_METRIC, METRIC, PUBLISH_FAILURES_METRIC } from '../../lambda/shared/observability.ts';
import { serviceMetric } from './alarm-metrics.ts';

/** Period of the stop conditions evaluated on 5-minute data. */
export const STOP_CONDITION_PERIOD = Duration.minutes(5);

/** The DynamoDB operations each table serves (the latency, throttle and error metrics' `Operation`). */
export const TABLE_OPERATIONS = {
  activities: ['PutItem', 'Query'],
  stats: ['BatchGetItem', 'TransactWriteItems', 'Query'],
  deadLetters: ['PutItem'],
} as const;

/** Properties of {@link StopConditionAlarms}. */
export interface StopConditionAlarmsProps {
  readonly recordingFunction: IFunction;
  readonly tables: { readonly activities: Table; readonly stats: Table; readonly deadLetters: Table };
  /** Where EventBridge parks events it gave up delivering. */
  readonly deliveryDeadLetters: IQueue;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly settings: StopConditionSettings;
  /** The platform's own alarms (names or ARNs), in this account and region. @default none */
  readonly platformAlarms?: readonly string[];
  /** Period of the scheduled audit's metrics: one run per period. */
  readonly auditPeriod: Duration;
}

/** One stop-condition alarm and the failure of the rollout plan it detects. */
export interface StopCondition {
  readonly id: string;
  readonly kind: StopConditionKind;
  readonly alarm: IAlarm;
}

/** What decides one stop-condition alarm: above `threshold` in `datapoints` of `periods` periods. */
interface AlarmRule {
  readonly threshold: number;
  readonly datapoints: number;
  readonly periods: number;
  readonly description: string;
}

/**
 * The alarms for the four failures the rollout plan stops on: integration error rate, tournament
 * operation errors (the platform's alarms and the publisher's failure metric), database
 * degradation and duplicates (the scheduled audit). docs/deploy.md has the table.
 */
export class StopConditionAlarms extends Construct {
  readonly conditions: readonly StopCondition[];
  private readonly found: StopCondition[] = [];

  constructor(scope: Construct, id: string, props: StopConditionAlarmsProps) {
    super(scope, id);
    this.addErrorRate(props);
    this.addTournamentOperations(props);
    this.addTableDegradation(props);
    this.addRecordingDegradation(props);
    this.addDuplicates(props);
    this.conditions = this.found;
  }

  /** A stop-condition alarm of this construct on `metric`, recorded as detecting `kind`. */
  private addAlarm(kind: StopConditionKind, alarmId: string, metric: IMetric, rule: AlarmRule): void {
    const alarm = new Alarm(this, alarmId, {
      metric,
      threshold: rule.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: rule.periods,
      datapointsToAlarm: rule.datapoints,
      // No data means nothing happened (no requests, no failures): never a reason to stop.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: rule.description,
    });
    this.found.push({ id: alarmId, kind, alarm });
  }

  /** Recording errors, deliveries given up and statistics failures as a share of events handled. */
  private addErrorRate(props: StopConditionAlarmsProps): void {
    const { settings } = props;
    const recording = props.recordingFunction;
    const expression = new MathExpression({
      expression: `IF(FILL(handled, 0) >= ${settings.errorRateMinEvents}, 100 * (FILL(errors, 0) + FILL(givenUp, 0) + FILL(statsFailed, 0)) / handled, 0)`,
      usingMetrics: {
        handled: recording.metricInvocations({ statistic: 'Sum', period: STOP_CONDITION_PERIOD }),
        errors: recording.metricErrors({ statistic: 'Sum', period: STOP_CONDITION_PERIOD }),
        givenUp: props.deliveryDeadLetters.metricNumberOfMessagesSent({
          statistic: 'Sum',
          period: STOP_CONDITION_PERIOD,
        }),
        statsFailed: serviceMetric(props, METRIC.statsFailed, STOP_CONDITION_PERIOD),
      },
      period: STOP_CONDITION_PERIOD,
      label: 'Integration errors (% of events handled)',
    });
    this.addAlarm('integration-error-rate', 'IntegrationErrorRate', expression, {
      threshold: settings.errorRateThresholdPercent,
      datapoints: settings.errorRateDatapoints,
      periods: settings.errorRateEvaluationPeriods,
      description: `Integration errors (recording errors, deliveries given up, statistics failures) above ${settings.errorRateThresholdPercent}% of events handled in ${settings.errorRateDatapoints} of ${settings.errorRateEvaluationPeriods} 5-minute periods with at least ${settings.errorRateMinEvents} events. The flag was rolled back: read the recording function's error logs and the dead-letter queues, fix, then \`tpi flag restore\`.`,
    });
  }

  /** Events the platform could not publish, and the platform's own alarms (imported, not created). */
  private addTournamentOperations(props: StopConditionAlarmsProps): void {
    this.addAlarm(
      'tournament-operations',
      'PublisherFailures',
      serviceMetric(props, PUBLISH_FAILURES_METRIC, STOP_CONDITION_PERIOD),
      {
        threshold: 0,
        datapoints: 1,
        periods: 1,
        description:
          'The tournament platform reported events it could not publish (publisher metric PublishFailures). The flag was rolled back: check the platform publisher logs ("tournament events not published"), then resend the events it kept.',
      },
    );
    for (const [index, nameOrArn] of (props.platformAlarms ?? []).entries())
      this.found.push({
        id: `PlatformAlarm${index + 1}`,
        kind: 'tournament-operations',
        alarm: this.platformAlarm(index, nameOrArn),
      });
  }

  private platformAlarm(index: number, nameOrArn: string): IAlarm {
    const arn = nameOrArn.startsWith('arn:')
      ? nameOrArn
      : Stack.of(this).formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: nameOrArn,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
    return Alarm.fromAlarmArn(this, `Platform${index + 1}`, arn);
  }

  /** Latency, throttles and system errors of each table's operations. */
  private addTableDegradation(props: StopConditionAlarmsProps): void {
    const { settings } = props;
    const tables = [
      ['Activities', props.tables.activities, TABLE_OPERATIONS.activities],
      ['Statistics', props.tables.stats, TABLE_OPERATIONS.stats],
      ['DeadLetters', props.tables.deadLetters, TABLE_OPERATIONS.deadLetters],
    ] as const;
    for (const [label, table, operations] of tables) {
      const across = (metricName: string, statistic: string, combine: 'MAX' | 'SUM') =>
        acrossOperations({ table, label, operations }, metricName, statistic, combine);
      this.addAlarm(
        'database-degradation',
        `${label}TableLatency`,
        across('SuccessfulRequestLatency', 'p99', 'MAX'),
        {
          threshold: settings.dynamoLatencyP99Ms,
          ...DEGRADED,
          description: `p99 latency of the ${label} table's ${operations.join('/')} above ${settings.dynamoLatencyP99Ms} ms in ${DEGRADATION_DATAPOINTS} of ${DEGRADATION_EVALUATION_PERIODS} 5-minute periods. The flag was rolled back: check the AWS Health dashboard for DynamoDB and the table's hot keys.`,
        },
      );
      for (const [metricName, what] of [
        ['ThrottledRequests', 'throttled requests'],
        ['SystemErrors', 'system errors (HTTP 500)'],
      ] as const)
        this.addAlarm(
          'database-degradation',
          `${label}Table${metricName}`,
          across(metricName, 'Sum', 'SUM'),
          {
            threshold: 0,
            ...DEGRADED,
            description: `The ${label} table returned ${what} in ${DEGRADATION_DATAPOINTS} of ${DEGRADATION_EVALUATION_PERIODS} 5-minute periods; the SDK retried them, but they slow recording. The flag was rolled back: check the table's hot partitions and the AWS Health dashboard.`,
          },
        );
    }
  }

  /** The recording function slowed down or its asynchronous queue backed up. */
  private addRecordingDegradation(props: StopConditionAlarmsProps): void {
    const { settings } = props;
    const recording = props.recordingFunction;
    this.addAlarm(
      'database-degradation',
      'RecordingDuration',
      recording.metricDuration({ statistic: 'p99', period: STOP_CONDITION_PERIOD }),
      {
        threshold: settings.recordingDurationP99Ms,
        ...DEGRADED,
        description: `p99 duration of the recording function above ${settings.recordingDurationP99Ms} ms in ${DEGRADATION_DATAPOINTS} of ${DEGRADATION_EVALUATION_PERIODS} 5-minute periods: its DynamoDB writes are slow. The flag was rolled back: check the table latency alarms and the function's traces.`,
      },
    );
    this.addAlarm(
      'database-degradation',
      'RecordingAsyncEventAge',
      recording.metric('AsyncEventAge', { statistic: 'Maximum', period: STOP_CONDITION_PERIOD }),
      {
        threshold: settings.asyncEventAgeSeconds * 1000,
        ...DEGRADED,
        description: `Events waited more than ${settings.asyncEventAgeSeconds} s in the recording function's asynchronous queue in ${DEGRADATION_DATAPOINTS} of ${DEGRADATION_EVALUATION_PERIODS} 5-minute periods (throttles, retries or slow writes). The flag was rolled back: check the recording throttles, errors and duration.`,
      },
    );
  }

  /** What the scheduled audit found: activities recorded twice, statistics that drifted. */
  private addDuplicates(props: StopConditionAlarmsProps): void {
    for (const [alarmId, metricName, meaning] of [
      ['AuditDuplicateActivities', AUDIT_METRIC.duplicates, 'activities recorded twice under different keys'],
      ['AuditStatisticsDrift', AUDIT_METRIC.drift, 'users whose statistics differ from their activities'],
    ] as const)
      this.addAlarm('duplicates', alarmId, serviceMetric(props, metricName, props.auditPeriod), {
        threshold: 0,
        datapoints: 1,
        periods: 1,
        description: `The scheduled audit found ${meaning}. The flag was rolled back: find the users in the audit function's log ("scheduled audit run"), run \`tpi audit --user ID\`, and \`tpi audit --repair\` once the cause is fixed.`,
      });
  }
}

/** Database degradation must last: this many of that many periods. */
const DEGRADED = { datapoints: DEGRADATION_DATAPOINTS, periods: DEGRADATION_EVALUATION_PERIODS };

/** The worst (MAX) or total (SUM) of one DynamoDB metric over a table's operations. */
function acrossOperations(
  of: { readonly table: Table; readonly label: string; readonly operations: readonly string[] },
  metricName: string,
  statistic: string,
  combine: 'MAX' | 'SUM',
): MathExpression {
  return new MathExpression({
    expression: `${combine}([${of.operations.map((_, i) => `FILL(op${i}, 0)`).join(', ')}])`,
    usingMetrics: Object.fromEntries(
      of.operations.map((operation, i) => [
        `op${i}`,
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: of.table.tableName, Operation: operation },
          statistic,
          period: STOP_CONDITION_PERIOD,
        }),
      ]),
    ),
    period: STOP_CONDITION_PERIOD,
    label: `${of.label} ${metricName} (${statistic})`,
  });
}
