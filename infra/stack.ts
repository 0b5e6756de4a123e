import { type App, Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, ArnPrincipal, type IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { EVENT_TYPES } from '../lambda/domain/event-types.ts';
import { ACTIVITY_TABLE, DEAD_LETTER_TABLE, STATS_TABLE } from '../lambda/tables.ts';
import { type IntegrationConfig, loadConfig } from './config.ts';
import { acknowledgeCfnLint, W3005_CDK_ROLE_DEPENDENCY } from './constructs/cfn-lint.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { EventSchemas } from './constructs/event-schemas.ts';
import { FlagParameter } from './constructs/flag-parameter.ts';
import { type FunctionDefaults, IntegrationFunction } from './constructs/integration-function.ts';
import { IntegrationTable } from './constructs/integration-table.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { ProfileApi } from './constructs/profile-api.ts';
import { Rollout } from './constructs/rollout.ts';
import { ScheduledAudit } from './constructs/scheduled-audit.ts';
import { StopConditionAlarms } from './constructs/stop-condition-alarms.ts';
import { STACK_OUTPUTS } from './outputs.ts';
import { routingRules } from './routing.ts';

/**
 * Stream consumer batching. The projector groups a batch's records by user and applies each
 * user's activities in one write, so fuller batches mean fewer writes: a replay or a large event
 * (one completion fanning out to a tournament's participants) produces many records at once, and a
 * one-second window lets them gather. Statistics are eventually consistent; a second of extra lag
 * is invisible. 100 records keeps a failing batch's redelivery small and its run far below the
 * timeout even when every record is a different user.
 */
export const STREAM_BATCH_SIZE = 100;
export const STREAM_MAX_BATCHING_WINDOW = Duration.seconds(1);
/**
 * Bounded retries: a poison record must not hold its shard for the stream's whole 24 h retention.
 * Bisecting isolates it in a few halvings (which do not count as retries); what still fails after
 * that goes to the statistics failure queue, and every other record moves on.
 */
export const STREAM_RETRY_ATTEMPTS = 10;
export const STREAM_MAX_RECORD_AGE = Duration.hours(12);
/** Lambda's own retries of a failed asynchronous invocation before the on-failure destination. */
export const RECORDING_ASYNC_RETRY_ATTEMPTS = 2;

/** Properties of {@link IntegrationStack}. */
export interface IntegrationStackProps extends StackProps {
  readonly config: IntegrationConfig;
}

/**
 * The integration: a custom bus with one rule per event type to the recording function, the
 * activity, statistics and dead-letter tables, the stream projector, the rollout flag, alarms and
 * the dashboard.
 */
export class IntegrationStack extends Stack {
  /** Alarms a rollout watches: any of them in ALARM means stop or roll back. */
  readonly stopConditionAlarms: readonly IAlarm[];
  readonly eventBus: EventBus;
  readonly archive: Archive;
  readonly rules: readonly Rule[];
  readonly tables: { readonly activities: Table; readonly statistics: Table; readonly deadLetters: Table };
  readonly recordingFunction: IntegrationFunction;
  readonly statisticsFunction: IntegrationFunction;
  readonly flag: FlagParameter;
  /** Progressive rollout of the flag and automatic rollback on the stop-condition alarms. */
  readonly rollout: Rollout;
  /** The four stop conditions of the rollout plan, each alarm with the failure it detects. */
  readonly stopConditions: StopConditionAlarms;
  /** The profile read API (statistics and feeds over HTTP). */
  readonly profileApi: ProfileApi;

  constructor(scope: Construct, id: string, props: IntegrationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { production, names } = config;

    const activities = new IntegrationTable(this, ACTIVITY_TABLE.id, {
      definition: ACTIVITY_TABLE,
      production,
    }).table;
    const statistics = new IntegrationTable(this, STATS_TABLE.id, { definition: STATS_TABLE, production })
      .table;
    const deadLetters = new IntegrationTable(this, DEAD_LETTER_TABLE.id, {
      definition: DEAD_LETTER_TABLE,
      production,
    }).table;
    this.tables = { activities, statistics, deadLetters };

    const deliveryDeadLetters = new DeadLetterQueue(this, 'DeliveryDeadLetters', {
      purpose: 'events EventBridge could not deliver to the recording function',
      production,
    }).queue;
    const recordingFailures = new DeadLetterQueue(this, 'RecordingFailures', {
      purpose: 'events the recording function failed on after all its retries',
      production,
    }).queue;
    const statisticsFailures = new DeadLetterQueue(this, 'StatisticsFailures', {
      purpose: 'pointers to activity stream records the statistics function failed on',
      production,
    }).queue;

    this.flag = new FlagParameter(this, 'Flag', { parameterName: names.flagParameterName, production });
    acknowledgeCustomResourceProvider(this);

    const defaults: FunctionDefaults = {
      serviceName: names.serviceName,
      metricsNamespace: config.metricsNamespace,
      logLevel: config.logLevel,
      logRetentionDays: config.logRetentionDays,
      tracing: config.tracing,
      production,
    };

    // One event can name up to 1,000 users, one conditional put each with bounded concurrency: a
    // minute covers that with a wide margin, and 512 MB on ARM gives the CPU for JSON and hashing.
    this.recordingFunction = new IntegrationFunction(this, 'Recording', {
      entry: 'lambda/handlers/record-activity.ts',
      description: 'Records tournament events as idempotent user activities',
      failuresGoTo:
        'EventBridge parks undeliverable events in the delivery dead-letter queue, and Lambda sends events that failed after its retries to the recording failure queue (on-failure destination).',
      defaults,
      timeout: Duration.minutes(1),
      memorySize: 512,
      // The cap keeps a replay from taking the whole account's concurrency (throttled events are
      // retried by EventBridge and Lambda); the rollback function has its own reserved share.
      reservedConcurrentExecutions: config.recordingMaxConcurrency,
      environment: {
        ACTIVITY_TABLE_NAME: activities.tableName,
        DEAD_LETTER_TABLE_NAME: deadLetters.tableName,
        FLAG_PARAMETER_NAME: this.flag.parameterName,
        FLAG_CACHE_SECONDS: String(config.flagCacheSeconds),
        EVENT_SOURCE: config.eventSource,
      },
    });
    const recording = this.recordingFunction.function;
    recording.addToRolePolicy(
      new PolicyStatement({
        sid: 'RecordActivities',
        actions: ['dynamodb:PutItem'],
        resources: [activities.tableArn],
      }),
    );
    recording.addToRolePolicy(
      new PolicyStatement({
        sid: 'StoreDeadLetters',
        actions: ['dynamodb:PutItem'],
        resources: [deadLetters.tableArn],
      }),
    );
    this.flag.grantRead(recording);
    // The flag must exist before the first event arrives, or the first invocations retry.
    recording.node.addDependency(this.flag.creator);
    recording.configureAsyncInvoke({
      maxEventAge: Duration.hours(config.recordingMaxEventAgeHours),
      retryAttempts: RECORDING_ASYNC_RETRY_ATTEMPTS,
      onFailure: new SqsDestination(recordingFailures),
    });

    this.statisticsFunction = new IntegrationFunction(this, 'Statistics', {
      entry: 'lambda/handlers/project-stats.ts',
      description: 'Projects new activities into per-user profile statistics, exactly once',
      failuresGoTo:
        'it is invoked by a stream event source mapping, whose on-failure destination is the statistics failure queue; a function DLQ applies only to asynchronous invocations.',
      defaults,
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: { STATS_TABLE_NAME: statistics.tableName },
    });
    const projector = this.statisticsFunction.function;
    projector.addToRolePolicy(
      new PolicyStatement({
        sid: 'ProjectStatistics',
        // Transactions and batch writes are authorised per contained action, plus BatchWriteItem.
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [statistics.tableArn],
      }),
    );
    projector.addEventSource(
      new DynamoEventSource(activities, {
        // The projector is idempotent, so starting from the oldest retained record loses nothing
        // written between table and mapping creation and costs nothing when re-read.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_BATCH_SIZE,
        maxBatchingWindow: STREAM_MAX_BATCHING_WINDOW,
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: STREAM_MAX_RECORD_AGE,
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(statisticsFailures),
        // Activities are never updated or deleted by the integration; TTL or manual deletes must
        // not be counted as activities.
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
      }),
    );
    Validations.of(this.statisticsFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource-level permissions (AWS requires Resource "*"); the stream reads themselves are scoped to the activity table stream ARN. With tracing on, the X-Ray actions also require "*".',
    });

    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName: names.eventBusName,
      description: 'Tournament platform events for the profile integration',
    });
    this.archive = this.eventBus.archive('Archive', {
      description: `Every ${config.eventSource} event, for replay after an outage or a flag change`,
      eventPattern: { source: [config.eventSource] },
      retention: Duration.days(config.archiveRetentionDays),
    });
    this.rules = routingRules(config.eventSource).map(
      (route) =>
        new Rule(this, route.id, {
          eventBus: this.eventBus,
          description: `${route.detailType} events to the recording function`,
          eventPattern: { source: [...route.pattern.source], detailType: [...route.pattern['detail-type']] },
          targets: [
            new LambdaFunction(recording, {
              deadLetterQueue: deliveryDeadLetters,
              maxEventAge: Duration.hours(config.deliveryMaxEventAgeHours),
              retryAttempts: config.deliveryRetryAttempts,
            }),
          ],
        }),
    );
    this.allowPublishers(config);

    new EventSchemas(this, 'Schemas', { eventSource: config.eventSource, busName: names.eventBusName });

    const audit = new ScheduledAudit(this, 'ScheduledAudit', {
      activities,
      statistics,
      cursorParameterName: `${this.flag.parameterName}/audit-cursor`,
      settings: {
        intervalMinutes: config.auditIntervalMinutes,
        itemsPerRun: config.auditItemsPerRun,
        usersPerRun: config.auditUsersPerRun,
      },
      defaults,
      metricsNamespace: config.metricsNamespace,
      serviceName: names.serviceName,
    });
    const stopConditions = new StopConditionAlarms(this, 'StopConditions', {
      recordingFunction: recording,
      tables: this.tables,
      deliveryDeadLetters,
      metricsNamespace: config.metricsNamespace,
      serviceName: names.serviceName,
      settings: config,
      platformAlarms: config.platformAlarms,
      auditPeriod: audit.period,
    });
    const monitoring = new Monitoring(this, 'Monitoring', {
      recordingFunction: recording,
      statisticsFunction: projector,
      deadLetterQueues: {
        DeliveryDeadLetters: deliveryDeadLetters,
        RecordingFailures: recordingFailures,
        StatisticsFailures: statisticsFailures,
      },
      serviceName: names.serviceName,
      metricsNamespace: config.metricsNamespace,
      iteratorAgeAlarmSeconds: config.iteratorAgeAlarmSeconds,
      alarmEmail: config.alarmEmail,
      alarmTopicArn: config.alarmTopicArn,
      deliveryRules: this.rules,
      destinationFunctions: { Recording: recording, Statistics: projector },
      stopConditions: stopConditions.conditions.map((condition) => condition.alarm),
    });
    this.stopConditions = stopConditions;
    this.stopConditionAlarms = monitoring.stopConditionAlarms;
    this.rollout = new Rollout(this, 'Rollout', {
      flag: this.flag,
      stopConditionAlarms: this.stopConditionAlarms,
      alarmTopic: monitoring.alarmTopic,
      defaults,
      recordingFunctionName: recording.functionName,
      minEventsPerStep: config.rolloutMinEventsPerStep,
    });
    monitoring.notify(...this.rollout.alarms, audit.notRunning);

    this.profileApi = new ProfileApi(this, 'ProfileApi', {
      apiName: `${names.stackName}-profiles`,
      activities,
      statistics,
      defaults,
      ...(config.apiAuth === 'jwt' && config.jwtIssuer
        ? {
            jwt: {
              issuer: config.jwtIssuer,
              audience: config.jwtAudience,
              userIdClaim: config.jwtUserIdClaim,
            },
          }
        : {}),
      throttle: { rateLimit: config.apiThrottleRateLimit, burstLimit: config.apiThrottleBurstLimit },
    });

    const outputs: Record<keyof typeof STACK_OUTPUTS, { value: string; description: string }> = {
      eventBusName: { value: this.eventBus.eventBusName, description: 'Bus publishers send to' },
      eventBusArn: { value: this.eventBus.eventBusArn, description: 'Bus ARN for publisher IAM policies' },
      eventSource: { value: config.eventSource, description: 'The Source every event must carry' },
      archiveName: { value: this.archive.archiveName, description: 'Archive to replay from' },
      activityTableName: { value: activities.tableName, description: 'Recorded activities' },
      statsTableName: { value: statistics.tableName, description: 'Per-user profile statistics' },
      deadLetterTableName: { value: deadLetters.tableName, description: 'Rejected events with reasons' },
      flagParameterName: { value: this.flag.parameterName, description: 'Rollout flag (SSM parameter)' },
      deliveryDeadLetterQueueUrl: {
        value: deliveryDeadLetters.queueUrl,
        description: 'Events EventBridge could not deliver',
      },
      recordingFailureQueueUrl: {
        value: recordingFailures.queueUrl,
        description: 'Events the recording function failed on',
      },
      statsFailureQueueUrl: {
        value: statisticsFailures.queueUrl,
        description: 'Stream records the statistics function failed on',
      },
      dashboardUrl: {
        value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${monitoring.dashboard.dashboardName}`,
        description: 'CloudWatch dashboard',
      },
      rolloutStateMachineArn: {
        value: this.rollout.stateMachine.stateMachineArn,
        description: 'Progressive rollout of the flag (tpi rollout)',
      },
      profileApiUrl: { value: this.profileApi.url, description: 'Profile read API base URL' },
      profileReadPolicyArn: {
        value: this.profileApi.readPolicy.managedPolicyArn,
        description: "Managed policy to attach to the platform's role to call the read API",
      },
    };
    for (const [key, output] of Object.entries(outputs))
      new CfnOutput(this, STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS], output);
  }

  /**
   * Lets the configured publishers (accounts or roles) put events on the bus, only with the
   * integration's source and detail types. Same-account publishers need only an identity policy.
   */
  private allowPublishers(config: IntegrationConfig): void {
    if (config.publisherPrincipals.length === 0) return;
    const principals: IPrincipal[] = config.publisherPrincipals.map((principal) =>
      /^\d{12}$/.test(principal) ? new AccountPrincipal(principal) : new ArnPrincipal(principal),
    );
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowTournamentPublishers',
        principals,
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:source': [config.eventSource],
            'events:detail-type': EVENT_TYPES.map((type) => type.detailType),
          },
        },
      }),
    );
  }
}

/**
 * The flag's custom resource runs on a provider function CDK shares across the stack; its role is
 * CDK's, not ours to narrow.
 */
function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(
    `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
  );
  if (!provider) return;
  acknowledgeCfnLint(provider, 'W3005', W3005_CDK_ROLE_DEPENDENCY);
  const cdkManaged =
    'CDK-managed provider of the parameter custom resources (create-if-absent): it runs only during deployments, for seconds, and CDK owns its settings.';
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${cdkManaged} The managed policy grants nothing beyond writing CloudWatch Logs.`,
    },
    { id: 'Serverless-LambdaDefaultMemorySize', reason: cdkManaged },
    {
      id: 'Serverless-LambdaDLQ',
      reason: `${cdkManaged} CloudFormation invokes it and reports a failure as a failed deployment.`,
    },
    { id: 'Serverless-LambdaTracing', reason: cdkManaged },
    {
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: `${cdkManaged} It calls only the SSM API.`,
    },
  );
}

/** Builds the stack for `app` from its context (validated) and the CLI's default account and region. */
export function addIntegrationStack(app: App): IntegrationStack {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  return new IntegrationStack(app, config.names.stackName, {
    stackName: config.names.stackName,
    config,
    description: 'Tournament events to user activities and profile statistics',
    terminationProtection: config.production,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}
