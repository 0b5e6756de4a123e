import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlagParameter } from '../../infra/constructs/flag-parameter.ts';
import type { FunctionDefaults } from '../../infra/constructs/integration-function.ts';
import { IntegrationTable } from '../../infra/constructs/integration-table.ts';
import {
  RECORDING_ASYNC_RETRY_ATTEMPTS,
  RecordingPipeline,
} from '../../infra/constructs/recording-pipeline.ts';
import {
  STREAM_BATCH_SIZE,
  STREAM_RETRY_ATTEMPTS,
  StatisticsProjector,
} from '../../infra/constructs/statistics-projector.ts';
import { TournamentBus } from '../../infra/constructs/tournament-bus.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import {
  ACTIVITY_TABLE,
  DEAD_LETTER_TABLE,
  STATS_TABLE,
  type TableDefinition,
} from '../../lambda/shared/tables.ts';

const DEFAULTS: FunctionDefaults = {
  serviceName: 'svc',
  metricsNamespace: 'Ns',
  logLevel: 'INFO',
  logRetentionDays: 30,
  tracing: true,
  production: false,
  retainData: false,
};

/** A stack for one construct under test; bundling is skipped, the template is all these tests read. */
function testStack(): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
}

const table = (stack: Stack, definition: TableDefinition) =>
  new IntegrationTable(stack, definition.id, { definition, production: false, retain: false }).table;

describe('TournamentBus', () => {
  it('creates the named bus with an archive of the integration source only', () => {
    const stack = testStack();
    new TournamentBus(stack, 'Bus', {
      eventBusName: 'games',
      eventSource: 'tournaments',
      archiveRetentionDays: 7,
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'games' });
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['tournaments'] },
      RetentionDays: 7,
    });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('lets publishers of other accounts put only the integration source and detail types', () => {
    const stack = testStack();
    new TournamentBus(stack, 'Bus', {
      eventBusName: 'games',
      eventSource: 'tournaments',
      archiveRetentionDays: 7,
      publisherPrincipals: ['111122223333'],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Principal: { AWS: Match.anyValue() },
        Condition: {
          StringEquals: {
            'events:source': ['tournaments'],
            'events:detail-type': EVENT_TYPES.map((type) => type.detailType),
          },
        },
      }),
    });
  });

  it('keeps the logical IDs the bus and archive had as direct children of the stack', () => {
    const stack = testStack();
    const bus = new TournamentBus(stack, 'Bus', {
      eventBusName: 'games',
      eventSource: 'tournaments',
      archiveRetentionDays: 7,
    });
    const direct = testStack();
    const plain = new EventBus(direct, 'Bus', { eventBusName: 'games' });

    const logicalId = (resource: EventBus) =>
      Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
    expect(logicalId(bus.eventBus)).toBe(logicalId(plain));
  });
});

describe('RecordingPipeline', () => {
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    const eventBus = new EventBus(stack, 'Bus');
    new RecordingPipeline(stack, 'Default', {
      eventBus,
      eventSource: 'tournaments',
      activities: table(stack, ACTIVITY_TABLE),
      deadLetters: table(stack, DEAD_LETTER_TABLE),
      stats: table(stack, STATS_TABLE),
      flag: new FlagParameter(stack, 'Flag', { parameterName: '/test/flag', production: false }),
      flagCacheSeconds: 15,
      erasureCacheSeconds: 15,
      deliveryDeadLetters: new Queue(stack, 'Delivery'),
      recordingFailures: new Queue(stack, 'Failures'),
      delivery: { retryAttempts: 185, maxEventAge: Duration.hours(24) },
      maxEventAge: Duration.hours(6),
      maxConcurrency: 50,
      defaults: DEFAULTS,
    });
    template = Template.fromStack(stack);
  });

  it('routes each event type with its own rule to the function, undeliverable events to the delivery queue', () => {
    template.resourceCountIs('AWS::Events::Rule', EVENT_TYPES.length);
    for (const type of EVENT_TYPES)
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['tournaments'], 'detail-type': [type.detailType] },
        Targets: [
          Match.objectLike({
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          }),
        ],
      });
  });

  it('caps the function concurrency and reads its tables and flag from the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
      Environment: {
        Variables: Match.objectLike({
          FLAG_PARAMETER_NAME: '/test/flag',
          FLAG_CACHE_SECONDS: '15',
          EVENT_SOURCE: 'tournaments',
          ACTIVITY_TABLE_NAME: Match.anyValue(),
          DEAD_LETTER_TABLE_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('sends failed asynchronous invocations to the failure queue after its retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: RECORDING_ASYNC_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('may only put items into the activity and dead-letter tables', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'RecordActivities', Action: 'dynamodb:PutItem' }),
          Match.objectLike({ Sid: 'StoreDeadLetters', Action: 'dynamodb:PutItem' }),
        ]),
      },
    });
  });
});

describe('StatisticsProjector', () => {
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    new StatisticsProjector(stack, 'Statistics', {
      activities: table(stack, ACTIVITY_TABLE),
      stats: table(stack, STATS_TABLE),
      statisticsFailures: new Queue(stack, 'Failures'),
      erasureCacheSeconds: 15,
      defaults: DEFAULTS,
    });
    template = Template.fromStack(stack);
  });

  it('reads inserts from the activity stream with bounded retries, bisection and partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: STREAM_BATCH_SIZE,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('writes the statistics table named in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATS_TABLE_NAME: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ProjectStatistics',
            // Loads, transactions of puts and deletes, and the sequence queries; nothing else.
            Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          }),
        ]),
      },
    });
  });
});
