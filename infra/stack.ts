import { type App, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { auditNotRunningAlarmName } from '../lambda/audit/constants.ts';
import {
  ACTIVITY_TABLE,
  DEAD_LETTER_TABLE,
  STATS_TABLE,
  type TableDefinition,
} from '../lambda/shared/tables.ts';
import { erasureCacheSecondsOf, type IntegrationConfig, loadConfig } from './config.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import type { ErasureService } from './constructs/erasure-service.ts';
import { EventSchemas } from './constructs/event-schemas.ts';
import { acknowledgeCustomResourceProvider, FlagParameter } from './constructs/flag-parameter.ts';
import type { FunctionDefaults, IntegrationFunction } from './constructs/integration-function.ts';
import { IntegrationTable } from './constructs/integration-table.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { ProfileApi } from './constructs/profile-api.ts';
import { RecordingPipeline } from './constructs/recording-pipeline.ts';
import { Rollout } from './constructs/rollout.ts';
import { ScheduledAudit } from './constructs/scheduled-audit.ts';
import { StatisticsProjector } from './constructs/statistics-projector.ts';
import { StopConditionAlarms } from './constructs/stop-condition-alarms.ts';
import { TournamentBus } from './constructs/tournament-bus.ts';
import { addErasure } from './erasure.ts';
import { addStackOutputs } from './stack-outputs.ts';

/** Properties of {@link IntegrationStack}. */
export interface IntegrationStackProps extends StackProps {
  readonly config: IntegrationConfig;
}

/** The queues where messages the integration could not handle wait for an operator. */
interface FailureQueues {
  readonly deliveryDeadLetters: IQueue;
  readonly recordingFailures: IQueue;
  readonly statisticsFailures: IQueue;
}

/**
 * The integration: a custom bus with one rule per event type to the recording function, the
 * activity, statistics and dead-letter tables, the stream projector, the rollout flag, alarms and
 * the dashboard.
 *
 * Construct ids are those the resources had when this stack declared them all directly, so their
 * logical IDs (and the deployed tables, queues and functions) stay the same.
 */
export class IntegrationStack extends Stack {
  readonly eventBus: EventBus;
  readonly archive: Archive;
  readonly rules: readonly Rule[];
  readonly tables: { readonly activities: Table; readonly stats: Table; readonly deadLetters: Table };
  readonly recordingFunction: IntegrationFunction;
  readonly statisticsFunction: IntegrationFunction;
  readonly flag: FlagParameter;
  /** Progressive rollout of the flag and automatic rollback on the stop-condition alarms. */
  readonly rollout: Rollout;
  /**
   * The four stop conditions of the rollout plan: each alarm with the failure it detects, a
   * composite alarm per condition and the top-level composite the rollback rule matches.
   */
  readonly stopConditions: StopConditionAlarms;
  /** Paging alarms, the alarm topic and the dashboard. */
  readonly monitoring: Monitoring;
  /** The scheduled audit that detects duplicates and drift. */
  readonly audit: ScheduledAudit;
  /** The profile read API (statistics and feeds over HTTP). */
  readonly profileApi: ProfileApi;
  /** `DELETE /users/{userId}`: the erase route, its queue and worker. */
  readonly erasureService: ErasureService;

  constructor(scope: Construct, id: string, props: IntegrationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { production, names } = config;
    // Data outlives the stack unless the stage says it is throw-away: a mistyped stage name
    // (`prd`, `live`) must not deploy tables that `cdk destroy` deletes.
    const retain = !config.ephemeral;
    const table = (definition: TableDefinition) =>
      new IntegrationTable(this, definition.id, { definition, production, retain }).table;
    this.tables = {
      activities: table(ACTIVITY_TABLE),
      stats: table(STATS_TABLE),
      deadLetters: table(DEAD_LETTER_TABLE),
    };
    const queues = failureQueues(this, retain);
    this.flag = new FlagParameter(this, 'Flag', { parameterName: names.flagParameterName, production });
    acknowledgeCustomResourceProvider(this);
    const defaults = functionDefaults(config);

    const bus = new TournamentBus(this, 'Bus', {
      eventBusName: names.eventBusName,
      eventSource: config.eventSource,
      archiveRetentionDays: config.archiveRetentionDays,
      publisherPrincipals: config.publisherPrincipals,
    });
    this.eventBus = bus.eventBus;
    this.archive = bus.archive;
    const recording = this.addRecording(config, defaults, queues);
    this.recordingFunction = recording.lambdaFunction;
    this.rules = recording.rules;
    this.statisticsFunction = new StatisticsProjector(this, 'Statistics', {
      activities: this.tables.activities,
      stats: this.tables.stats,
      statisticsFailures: queues.statisticsFailures,
      erasureCacheSeconds: erasureCacheSecondsOf(config),
      defaults,
    }).lambdaFunction;
    new EventSchemas(this, 'Schemas', { eventSource: config.eventSource, busName: names.eventBusName });

    const operations = this.addOperations(config, defaults, queues);
    this.stopConditions = operations.stopConditions;
    this.monitoring = operations.monitoring;
    this.audit = operations.audit;
    this.rollout = operations.rollout;
    this.profileApi = this.addProfileApi(config, defaults);
    const erasure = addErasure(this, { erasureCacheSeconds: erasureCacheSecondsOf(config), defaults });
    this.erasureService = erasure.service;
    this.monitoring.notify(...this.profileApi.alarms, ...erasure.service.alarms);
    addStackOutputs(this, {
      eventBus: this.eventBus,
      eventSource: config.eventSource,
      archive: this.archive,
      tables: this.tables,
      flag: this.flag,
      queues,
      dashboardName: operations.monitoring.dashboard.dashboardName,
      rollout: this.rollout,
      stopConditionsAlarmName: this.stopConditions.compositeName,
      auditAlarmName: auditNotRunningAlarmName(config.names.stackName),
      metrics: { namespace: config.metricsNamespace, service: names.serviceName },
      profileApi: this.profileApi,
      erasure,
    });
  }

  /** Rules and the recording function, on the bus, writing to the activity and dead-letter tables. */
  private addRecording(
    config: IntegrationConfig,
    defaults: FunctionDefaults,
    queues: FailureQueues,
  ): RecordingPipeline {
    // `Default` is left out of logical IDs: the pipeline's function and rules keep the IDs they had
    // as the stack's own children (`Recording…`, one per event type).
    return new RecordingPipeline(this, 'Default', {
      eventBus: this.eventBus,
      eventSource: config.eventSource,
      activities: this.tables.activities,
      deadLetters: this.tables.deadLetters,
      stats: this.tables.stats,
      flag: this.flag,
      flagCacheSeconds: config.flagCacheSeconds,
      erasureCacheSeconds: erasureCacheSecondsOf(config),
      ...queues,
      delivery: {
        maxEventAge: Duration.hours(config.deliveryMaxEventAgeHours),
        retryAttempts: config.deliveryRetryAttempts,
      },
      maxEventAge: Duration.hours(config.recordingMaxEventAgeHours),
      maxConcurrency: config.recordingMaxConcurrency,
      defaults,
    });
  }

  /** The scheduled audit, the stop conditions, alarms and dashboard, and the progressive rollout. */
  private addOperations(config: IntegrationConfig, defaults: FunctionDefaults, queues: FailureQueues) {
    const { names } = config;
    const recording = this.recordingFunction.function;
    const projector = this.statisticsFunction.function;
    const audit = new ScheduledAudit(this, 'ScheduledAudit', {
      activities: this.tables.activities,
      stats: this.tables.stats,
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
      deliveryDeadLetters: queues.deliveryDeadLetters,
      metricsNamespace: config.metricsNamespace,
      serviceName: names.serviceName,
      settings: config,
      platformAlarms: config.platformAlarms,
      platformAlarmsReason: config.platformAlarmsReason,
      auditPeriod: audit.period,
    });
    const monitoring = new Monitoring(this, 'Monitoring', {
      recordingFunction: recording,
      statisticsFunction: projector,
      deadLetterQueues: {
        DeliveryDeadLetters: queues.deliveryDeadLetters,
        RecordingFailures: queues.recordingFailures,
        StatisticsFailures: queues.statisticsFailures,
      },
      serviceName: names.serviceName,
      metricsNamespace: config.metricsNamespace,
      iteratorAgeAlarmSeconds: config.iteratorAgeAlarmSeconds,
      asyncEventAgeSeconds: config.asyncEventAgeSeconds,
      alarmEmail: config.alarmEmail,
      alarmTopicArn: config.alarmTopicArn,
      deliveryRules: this.rules,
      deliveryBusName: this.eventBus.eventBusName,
      destinationFunctions: { Recording: recording, Statistics: projector },
      stopConditions: {
        alarms: stopConditions.alarms,
        composites: [stopConditions.composite, ...Object.values(stopConditions.byKind)],
      },
    });
    const rollout = new Rollout(this, 'Rollout', {
      flag: this.flag,
      stopConditionsAlarmName: stopConditions.compositeName,
      auditAlarmName: auditNotRunningAlarmName(names.stackName),
      alarmTopic: monitoring.alarmTopic,
      defaults,
      recordingFunctionName: recording.functionName,
      minEventsPerStep: config.rolloutMinEventsPerStep,
    });
    monitoring.notify(...rollout.alarms, audit.notRunning);
    return { stopConditions, monitoring, rollout, audit };
  }

  /** The profile read API over the activity and statistics tables, with IAM or JWT access. */
  private addProfileApi(config: IntegrationConfig, defaults: FunctionDefaults): ProfileApi {
    return new ProfileApi(this, 'ProfileApi', {
      apiName: `${config.names.stackName}-profiles`,
      activities: this.tables.activities,
      stats: this.tables.stats,
      erasureCacheSeconds: erasureCacheSecondsOf(config),
      defaults,
      ...(config.apiAuth === 'jwt' && config.jwtIssuer
        ? {
            jwt: {
              issuer: config.jwtIssuer,
              audience: config.jwtAudience,
              userIdClaim: config.jwtUserIdClaim,
              allowedOrigins: config.apiCorsAllowedOrigins,
            },
          }
        : {}),
      throttle: { rateLimit: config.apiThrottleRateLimit, burstLimit: config.apiThrottleBurstLimit },
    });
  }
}

/** The three failure queues, children of the stack (their ids are their logical IDs' names). */
function failureQueues(stack: Stack, retain: boolean): FailureQueues {
  const queue = (id: string, purpose: string) => new DeadLetterQueue(stack, id, { purpose, retain }).queue;
  return {
    deliveryDeadLetters: queue(
      'DeliveryDeadLetters',
      'events EventBridge could not deliver to the recording function',
    ),
    recordingFailures: queue(
      'RecordingFailures',
      'events the recording function failed on after all its retries',
    ),
    statisticsFailures: queue(
      'StatisticsFailures',
      'pointers to activity stream records the statistics function failed on',
    ),
  };
}

/** Settings every function of the integration shares, from the configuration. */
function functionDefaults(config: IntegrationConfig): FunctionDefaults {
  return {
    serviceName: config.names.serviceName,
    metricsNamespace: config.metricsNamespace,
    logLevel: config.logLevel,
    logRetentionDays: config.logRetentionDays,
    tracing: config.tracing,
    production: config.production,
    retainData: !config.ephemeral,
  };
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
