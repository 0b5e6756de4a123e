import type { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { routingRules } from '../routing.ts';
import type { FlagParameter } from './flag-parameter.ts';
import { FUNCTION_TIMEOUT, type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** Lambda's own retries of a failed asynchronous invocation before the on-failure destination. */
export const RECORDING_ASYNC_RETRY_ATTEMPTS = 2;

/** How EventBridge retries delivering an event to the recording function. */
export interface DeliverySettings {
  /** Attempts before the event goes to the delivery dead-letter queue. */
  readonly retryAttempts: number;
  /** Age after which EventBridge stops retrying. */
  readonly maxEventAge: Duration;
}

/** Properties of {@link RecordingPipeline}. */
export interface RecordingPipelineProps {
  /** The bus the rules listen on. */
  readonly eventBus: IEventBus;
  /** The `Source` the rules match, with each event type's detail type. */
  readonly eventSource: string;
  /** Where activities are recorded (conditional puts). */
  readonly activities: ITable;
  /** Where rejected events are stored with their reasons. */
  readonly deadLetters: ITable;
  /** The statistics table, whose erasure log tells which users to skip. */
  readonly stats: ITable;
  /** The rollout flag the function reads (and waits for: it must exist before the first event). */
  readonly flag: FlagParameter;
  /** Seconds the function caches the flag. */
  readonly flagCacheSeconds: number;
  /** Seconds the function caches the set of erased users. */
  readonly erasureCacheSeconds: number;
  /** Events EventBridge could not deliver, after {@link delivery}'s retries. */
  readonly deliveryDeadLetters: IQueue;
  /** Events the function failed on after Lambda's asynchronous retries (on-failure destination). */
  readonly recordingFailures: IQueue;
  readonly delivery: DeliverySettings;
  /** Age after which Lambda stops retrying a failed asynchronous invocation. */
  readonly maxEventAge: Duration;
  /**
   * Concurrency kept for (and capped at) the function: a replay must not take the whole account's
   * concurrency (throttled events are retried by EventBridge and Lambda).
   *
   * @default - none: the account's unreserved pool
   */
  readonly maxConcurrency?: number | undefined;
  readonly defaults: FunctionDefaults;
}

/**
 * Events to activities: one rule per event type on the bus, to the recording function, which writes
 * one activity per affected user with a conditional put and stores rejected events as dead letters.
 * Undeliverable events wait in the delivery dead-letter queue, failed invocations in the recording
 * failure queue.
 */
export class RecordingPipeline extends Construct {
  /** The recording function, its role and log group. */
  readonly lambdaFunction: IntegrationFunction;
  /** One rule per event type, in the order of the event type declaration. */
  readonly rules: readonly Rule[];

  constructor(scope: Construct, id: string, props: RecordingPipelineProps) {
    super(scope, id);
    this.lambdaFunction = this.recordingFunction(props);
    this.rules = routingRules(props.eventSource).map(
      (route) =>
        new Rule(this, route.id, {
          eventBus: props.eventBus,
          description: `${route.detailType} events to the recording function`,
          eventPattern: { source: [...route.pattern.source], detailType: [...route.pattern['detail-type']] },
          targets: [
            new LambdaFunction(this.lambdaFunction.function, {
              deadLetterQueue: props.deliveryDeadLetters,
              maxEventAge: props.delivery.maxEventAge,
              retryAttempts: props.delivery.retryAttempts,
            }),
          ],
        }),
    );
  }

  private recordingFunction(props: RecordingPipelineProps): IntegrationFunction {
    const { activities, deadLetters, flag } = props;
    // One event can name up to 1,000 users, one conditional put each with bounded concurrency: a
    // minute covers that with a wide margin, and 512 MB on ARM gives the CPU for JSON and hashing.
    const recording = new IntegrationFunction(this, 'Recording', {
      entry: 'lambda/recording/handler.ts',
      description: 'Records tournament events as idempotent user activities',
      failuresGoTo:
        'EventBridge parks undeliverable events in the delivery dead-letter queue, and Lambda sends events that failed after its retries to the recording failure queue (on-failure destination).',
      defaults: props.defaults,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 512,
      reservedConcurrentExecutions: props.maxConcurrency,
      // The flag is read through the extension, so the bundle carries no SSM client (a third of
      // what its cold start loads beyond DynamoDB's). Its cache is off: the function's own cache
      // (FLAG_CACHE_SECONDS) alone bounds how long a flag change takes to reach it.
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
        cacheEnabled: false,
        logLevel: ParamsAndSecretsLogLevel.WARN,
      }),
      environment: {
        [TABLE_NAME_VARIABLES.activities]: activities.tableName,
        [TABLE_NAME_VARIABLES.deadLetters]: deadLetters.tableName,
        // The erasure log lives in the statistics table; the function only queries its partition.
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        FLAG_PARAMETER_NAME: flag.parameterName,
        FLAG_CACHE_SECONDS: String(props.flagCacheSeconds),
        ERASURE_CACHE_SECONDS: String(props.erasureCacheSeconds),
        EVENT_SOURCE: props.eventSource,
      },
    });
    const fn = recording.function;
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'RecordActivities',
        actions: ['dynamodb:PutItem'],
        resources: [activities.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'StoreDeadLetters',
        actions: ['dynamodb:PutItem'],
        resources: [deadLetters.tableArn],
      }),
    );
    flag.grantRead(fn);
    // The flag must exist before the first event arrives, or the first invocations retry.
    fn.node.addDependency(flag.creator);
    fn.configureAsyncInvoke({
      maxEventAge: props.maxEventAge,
      retryAttempts: RECORDING_ASYNC_RETRY_ATTEMPTS,
      onFailure: new SqsDestination(props.recordingFailures),
    });
    return recording;
  }
}
