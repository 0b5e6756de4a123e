import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import {
  type AuditSweepSettings,
  auditNotRunningAlarm,
  auditNotRunningAlarmName,
} from '../../lambda/audit/constants.ts';
import { TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { alarmOf } from './alarm-definitions.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** New activities per batch of the stream audit: at most as many users audited in one run. */
export const STREAM_AUDIT_BATCH_SIZE = 100;
/** How long the stream audit lets a batch gather. */
export const STREAM_AUDIT_BATCHING_WINDOW = Duration.seconds(30);

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
 * The audit, two ways, both publishing the duplicate and drift metrics (stop conditions), both
 * read-only on the tables: the users each batch of new activities touched, from the activity
 * stream, within a minute whatever the table's size; and every `intervalMinutes` a sweep that
 * continues through the whole activity table within a bounded budget, one run at a time, the
 * background check of everything.
 */
export class ScheduledAudit extends Construct {
  readonly function: IntegrationFunction;
  readonly schedule: Rule;
  /** The period of its metrics: one run each. */
  readonly period: Duration;
  /** No run completed for three periods: duplicates would go unseen, and raises wait. */
  readonly notRunning: Alarm;
  /** The audit of the users each batch of new activities touched (a second reader of the stream). */
  readonly streamAudit: IntegrationFunction;

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
    // Declared once (lambda/audit/constants.ts): the local stack evaluates the same alarm.
    this.notRunning = alarmOf(
      this,
      auditNotRunningAlarm(this.period.toSeconds()),
      { metricsNamespace: props.metricsNamespace, names: { service: props.serviceName } },
      auditNotRunningAlarmName(Stack.of(this).stackName),
    );
    this.streamAudit = this.addStreamAudit(props);
    Validations.of(this.schedule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A scheduled tick carries no data: a missed one is made up by the next run, nothing to keep in a queue.',
    });
  }

  /**
   * The audit of what changed: a second event source mapping on the activity table's stream (new
   * activities only) to a function that audits the users each batch touched. A DynamoDB stream
   * shard should have at most two readers ("No more than two processes at most should be reading
   * from the same streams shard at the same time",
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html): the projector
   * and this one. Its own function, not the sweep's, whose concurrency of one keeps runs apart.
   */
  private addStreamAudit(props: ScheduledAuditProps): IntegrationFunction {
    const audit = new IntegrationFunction(this, 'Touched', {
      entry: 'lambda/audit/stream-handler.ts',
      description: 'Audits the users each batch of new activities touched: duplicates and drift',
      failuresGoTo:
        'it is invoked by a stream event source mapping: a failed batch is retried and then skipped, and the scheduled sweep audits those users again.',
      defaults: props.defaults,
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: {
        [TABLE_NAME_VARIABLES.activities]: props.activities.tableName,
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
      },
    });
    audit.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadTouchedUsers',
        // One user's partition in each table, never a scan.
        actions: ['dynamodb:Query'],
        resources: [props.activities.tableArn, props.stats.tableArn],
      }),
    );
    audit.function.addEventSource(
      new DynamoEventSource(props.activities, {
        // A detector: history is the sweep's; new activities from deploy on are this one's.
        startingPosition: StartingPosition.LATEST,
        batchSize: STREAM_AUDIT_BATCH_SIZE,
        // Long enough that the projector (1 s window) has applied most activities when a user is
        // read, so drift is seen too; short beside the alarm's period.
        maxBatchingWindow: STREAM_AUDIT_BATCHING_WINDOW,
        bisectBatchOnError: true,
        retryAttempts: 2,
        maxRecordAge: Duration.hours(1),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
      }),
    );
    Validations.of(audit.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource-level permissions (AWS requires Resource "*"); the stream reads are scoped to the activity table stream ARN. With tracing on, the X-Ray actions also require "*".',
    });
    Validations.of(audit.function).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'A batch the stream audit gives up on holds only pointers to activities that stay in the table: the scheduled sweep audits those users again, and a failing audit shows in its errors. Nothing to keep in a queue.',
    });
    return audit;
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
