import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AuditSweepSettings } from '../../lambda/audit/constants.ts';
import { AUDIT_METRIC } from '../../lambda/shared/observability.ts';
import { TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { serviceMetric } from './alarm-metrics.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** Properties of {@link ScheduledAudit}. */
export interface ScheduledAuditProps {
  readonly activities: Table;
  readonly stats: Table;
  /** Where the sweep keeps its position (an SSM parameter the function writes). */
  readonly cursorParameterName: string;
  readonly settings: AuditSweepSettings;
  readonly defaults: FunctionDefaults;
  /** Namespace and `service` dimension of the integration's metrics. */
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

/**
 * The scheduled audit: every `intervalMinutes` a function continues a sweep of the activity table
 * within a bounded budget and publishes duplicate and drift metrics (stop conditions). Read-only on
 * the tables. One run at a time: a slow run never overlaps the next.
 */
export class ScheduledAudit extends Construct {
  readonly function: IntegrationFunction;
  readonly schedule: Rule;
  /** The period of its metrics: one run each. */
  readonly period: Duration;
  /** No run completed for three periods: duplicates would go unseen. */
  readonly notRunning: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledAuditProps) {
    super(scope, id);
    const { settings } = props;
    this.period = Duration.minutes(settings.intervalMinutes);
    this.function = new IntegrationFunction(this, 'Audit', {
      entry: 'lambda/audit/handler.ts',
      description: 'Scheduled incremental audit: duplicate activities and statistics drift',
      failuresGoTo:
        'nothing is lost when a run fails: the sweep position is saved only after a run, so the next scheduled run repeats it; the AuditNotRunning alarm fires when runs stop.',
      defaults: props.defaults,
      timeout: Duration.minutes(Math.min(5, settings.intervalMinutes)),
      memorySize: 512,
      reservedConcurrentExecutions: 1,
      environment: {
        [TABLE_NAME_VARIABLES.activities]: props.activities.tableName,
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        AUDIT_CURSOR_PARAMETER: props.cursorParameterName,
        AUDIT_ITEMS_PER_RUN: String(settings.itemsPerRun),
        AUDIT_USERS_PER_RUN: String(settings.usersPerRun),
      },
    });
    const fn = this.function.function;
    this.grantSweep(props);
    // A missed run is made up by the next one; retrying late would only pile runs up.
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: this.period });
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason:
        'A failed run carries no data to keep: the next scheduled run repeats it from the saved sweep position, and AuditNotRunning alarms when runs stop.',
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the incremental audit',
      schedule: Schedule.rate(this.period),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.notRunning = serviceMetric(props, AUDIT_METRIC.runs, this.period).createAlarm(this, 'NotRunning', {
      alarmDescription:
        'The scheduled audit completed no run in three periods: duplicates and drift go undetected. Read the audit function logs (errors, timeouts) and its throttles.',
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // No datapoint at all is exactly the failure this alarm is for.
      treatMissingData: TreatMissingData.BREACHING,
    });
    Validations.of(this.schedule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A scheduled tick carries no data: a missed one is made up by the next run, nothing to keep in a queue.',
    });
  }

  /**
   * What lambda/audit/adapters/audit-sweep.ts calls: a Scan of the activity table (keys only) and one
   * user's partition Query in each table. It keeps the sweep position in its parameter and writes
   * nothing else; it never scans the statistics table.
   */
  private grantSweep(props: ScheduledAuditProps): void {
    const fn = this.function.function;
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'SweepActivities',
        actions: ['dynamodb:Scan', 'dynamodb:Query'],
        resources: [props.activities.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadStatistics',
        // A user's statistics partition is queried; the statistics table is never scanned.
        actions: ['dynamodb:Query'],
        resources: [props.stats.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'SweepPosition',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [
          Stack.of(this).formatArn({ service: 'ssm', resource: `parameter${props.cursorParameterName}` }),
        ],
      }),
    );
  }
}
