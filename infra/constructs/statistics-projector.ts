import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { FUNCTION_TIMEOUT, type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

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

/** Properties of {@link StatisticsProjector}. */
export interface StatisticsProjectorProps {
  /** The activity table; its stream's new activities are projected. */
  readonly activities: ITable;
  /** The per-user statistics the projection writes. */
  readonly stats: ITable;
  /** Pointers to the stream records the function still failed on after its retries. */
  readonly statisticsFailures: IQueue;
  /** Seconds the function caches the set of erased users. */
  readonly erasureCacheSeconds: number;
  readonly defaults: FunctionDefaults;
}

/**
 * New activities to per-user statistics, exactly once: the statistics function behind an event
 * source mapping on the activity table's stream, inserts only, with bounded retries, bisection and
 * partial batch failures.
 *
 * The function has the id `Default`, which CDK leaves out of logical IDs: it keeps the logical IDs
 * it had when the stack declared it as `Statistics`.
 */
export class StatisticsProjector extends Construct {
  /** The statistics function, its role and log group. */
  readonly lambdaFunction: IntegrationFunction;
  /** The event source mapping on the activity table's stream. */
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: StatisticsProjectorProps) {
    super(scope, id);
    this.lambdaFunction = new IntegrationFunction(this, 'Default', {
      entry: 'lambda/statistics/handler.ts',
      description: 'Projects new activities into per-user profile statistics, exactly once',
      failuresGoTo:
        'it is invoked by a stream event source mapping, whose on-failure destination is the statistics failure queue; a function DLQ applies only to asynchronous invocations.',
      defaults: props.defaults,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 512,
      environment: {
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        ERASURE_CACHE_SECONDS: String(props.erasureCacheSeconds),
      },
    });
    const projector = this.lambdaFunction.function;
    projector.addToRolePolicy(
      new PolicyStatement({
        sid: 'ProjectStatistics',
        // Exactly what lambda/statistics/adapters/stats-store.ts sends: one consistent BatchGetItem per
        // load and one TransactWriteItems of conditioned puts per commit. A transaction is authorised
        // per contained action (Put: dynamodb:PutItem); the erasure log query is granted by Erasure.
        actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
        resources: [props.stats.tableArn],
      }),
    );
    this.eventSource = new DynamoEventSource(props.activities, {
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
      onFailure: new SqsDlq(props.statisticsFailures),
      // Activities are never updated or deleted by the integration; TTL or manual deletes must
      // not be counted as activities.
      filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
    });
    projector.addEventSource(this.eventSource);
    Validations.of(this.lambdaFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource-level permissions (AWS requires Resource "*"); the stream reads themselves are scoped to the activity table stream ARN. With tracing on, the X-Ray actions also require "*".',
    });
  }
}
