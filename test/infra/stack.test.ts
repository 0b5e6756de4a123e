import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../infra/outputs.ts';
import { type EventPattern, type RoutingRule, routingRules, rulesMatching } from '../../infra/routing.ts';
import {
  RECORDING_ASYNC_RETRY_ATTEMPTS,
  STREAM_BATCH_SIZE,
  STREAM_MAX_BATCHING_WINDOW,
  STREAM_MAX_RECORD_AGE,
  STREAM_RETRY_ATTEMPTS,
} from '../../infra/stack.ts';
import { METRIC } from '../../lambda/adapters/observability.ts';
import { EVENT_TYPES } from '../../lambda/domain/event-types.ts';
import { ACTIVITY_TABLE, DEAD_LETTER_TABLE, STATS_TABLE, type TableDefinition } from '../../lambda/tables.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function statementsOfRole(s: Synthesized, roleLogicalId: string): Statement[] {
  return Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => (role as { Ref?: string }).Ref === roleLogicalId),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Actions a role may perform on a resource expression, merged over statements. */
function actionsOn(statements: Statement[], resource: unknown): string[] {
  return statements
    .filter((statement) =>
      asList(statement.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)),
    )
    .flatMap((statement) => asList(statement.Action))
    .sort();
}

describe('the default stage', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  }, SYNTH_TIMEOUT_MS);

  describe('routing', () => {
    /** Rules on the tournament bus (the rollout's alarm rule lives on the default bus). */
    const busRules = () =>
      Object.fromEntries(
        Object.entries(resourcesOf(s.template, 'AWS::Events::Rule')).filter(
          ([, rule]) =>
            JSON.stringify(rule.Properties.EventBusName) ===
            JSON.stringify({ Ref: s.logicalId(s.stack.eventBus) }),
        ),
      );
    const synthesizedRules = (): RoutingRule[] =>
      Object.entries(busRules()).map(([id, rule]) => {
        const pattern = rule.Properties.EventPattern as EventPattern;
        return { id, detailType: String(pattern['detail-type'][0]), pattern };
      });

    it('has one rule per event type on the custom bus, with exactly the declared pattern', () => {
      const rules = busRules();
      const busId = s.logicalId(s.stack.eventBus);
      expect(Object.keys(rules)).toHaveLength(EVENT_TYPES.length);
      for (const route of routingRules('tournaments')) {
        const rule = s.stack.rules.find((candidate) => candidate.node.id === route.id);
        expect(rule, route.id).toBeDefined();
        const id = s.logicalId(rule ?? s.stack);
        expect(rules[id]?.Properties.EventPattern).toEqual(route.pattern);
        expect(rules[id]?.Properties.EventBusName).toEqual({ Ref: busId });
      }
    });

    it('routes each event type example to exactly its own synthesized rule, and other sources nowhere', () => {
      const rules = synthesizedRules();
      for (const type of EVENT_TYPES) {
        const event = { source: 'tournaments', 'detail-type': type.detailType, detail: type.example };
        expect(rulesMatching(event, rules).map((rule) => rule.detailType)).toEqual([type.detailType]);
        expect(rulesMatching({ ...event, source: 'billing' }, rules)).toEqual([]);
      }
      expect(rulesMatching({ source: 'tournaments', 'detail-type': 'UnknownThing' }, rules)).toEqual([]);
    });

    it('gives every rule target a retry policy and the delivery dead-letter queue', () => {
      for (const rule of Object.values(busRules())) {
        const targets = rule.Properties.Targets as Record<string, unknown>[];
        expect(targets).toHaveLength(1);
        expect(targets[0]).toMatchObject({
          Arn: { 'Fn::GetAtt': [s.logicalId(s.stack.recordingFunction.function), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 24 * 3600, MaximumRetryAttempts: 185 },
        });
        expect(JSON.stringify((targets[0] as { DeadLetterConfig: unknown }).DeadLetterConfig)).toMatch(
          /"Fn::GetAtt":\["DeliveryDeadLettersQueue[0-9A-F]+","Arn"\]/,
        );
      }
    });

    it('sends events Lambda failed on twice more to the recording failure queue', () => {
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: s.logicalId(s.stack.recordingFunction.function) },
        MaximumRetryAttempts: RECORDING_ASYNC_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RecordingFailuresQueue'), 'Arn'] },
          },
        },
      });
    });

    it('archives every event of the source for 30 days', () => {
      s.template.resourceCountIs('AWS::Events::Archive', 1);
      s.template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [s.logicalId(s.stack.eventBus), 'Arn'] },
        EventPattern: { source: ['tournaments'] },
        RetentionDays: 30,
      });
    });

    it('names the bus `tournaments` and has no bus policy when no publishers are configured', () => {
      s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'tournaments' });
      s.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    });

    it('registers one schema per event type', () => {
      s.template.resourceCountIs('AWS::EventSchemas::Registry', 1);
      const schemas = Object.values(resourcesOf(s.template, 'AWS::EventSchemas::Schema'));
      expect(schemas.map((schema) => schema.Properties.SchemaName).sort()).toEqual(
        EVENT_TYPES.map((type) => `tournaments@${type.detailType}`).sort(),
      );
      for (const schema of schemas)
        expect(['OpenApi3', 'JSONSchemaDraft4']).toContain(schema.Properties.Type);
    });
  });

  describe('tables', () => {
    const keySchema = (definition: TableDefinition) => [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
    ];

    it.each([ACTIVITY_TABLE, STATS_TABLE, DEAD_LETTER_TABLE] as TableDefinition[])(
      'builds $id from its shared declaration: on-demand, PITR, encrypted, destroyed with the stage',
      (definition) => {
        const indexes = definition.localIndexes ?? [];
        const tables = s.template.findResources('AWS::DynamoDB::Table', {
          DeletionPolicy: 'Delete',
          Properties: {
            KeySchema: keySchema(definition),
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: false,
            TableName: Match.absent(),
            StreamSpecification: definition.stream
              ? Match.objectEquals({ StreamViewType: definition.stream })
              : Match.absent(),
            TimeToLiveSpecification: Match.absent(),
            // Each index copies only what its readers read: an item is not written twice in full.
            LocalSecondaryIndexes:
              indexes.length > 0
                ? indexes.map((i) => ({
                    IndexName: i.indexName,
                    Projection: Match.objectEquals({
                      ProjectionType: 'INCLUDE',
                      NonKeyAttributes: [...i.projected],
                    }),
                  }))
                : Match.absent(),
          },
        });
        expect(Object.keys(tables).filter((id) => id.startsWith(definition.id))).toHaveLength(1);
      },
    );
  });

  describe('statistics stream consumer', () => {
    it('reads only inserts, bisects, reports item failures and gives up to a failure queue', () => {
      // This one, and the erasure worker's on its queue.
      s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [s.logicalId(s.stack.tables.activities), 'StreamArn'] },
        FunctionName: { Ref: s.logicalId(s.stack.statisticsFunction.function) },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
        MaximumRecordAgeInSeconds: STREAM_MAX_RECORD_AGE.toSeconds(),
        BatchSize: STREAM_BATCH_SIZE,
        MaximumBatchingWindowInSeconds: STREAM_MAX_BATCHING_WINDOW.toSeconds(),
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StatisticsFailuresQueue'), 'Arn'] },
          },
        },
      });
      expect(STREAM_RETRY_ATTEMPTS).toBeGreaterThan(0);
      expect(STREAM_MAX_RECORD_AGE.toHours()).toBeLessThan(24);
    });
  });

  describe('functions', () => {
    it('run on ARM64 with the newest Node.js runtime, tracing, Powertools settings and the table names', () => {
      const recording = s.stack.recordingFunction.function;
      const statistics = s.stack.statisticsFunction.function;
      for (const fn of [recording, statistics])
        s.hasProperties(fn, 'AWS::Lambda::Function', {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
          Environment: {
            Variables: {
              POWERTOOLS_SERVICE_NAME: 'tournament-profile-integration',
              POWERTOOLS_METRICS_NAMESPACE: 'TournamentProfileIntegration',
              POWERTOOLS_LOG_LEVEL: 'INFO',
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
      s.hasProperties(recording, 'AWS::Lambda::Function', {
        Environment: Match.objectEquals({
          Variables: Match.objectLike({
            ACTIVITY_TABLE_NAME: { Ref: s.logicalId(s.stack.tables.activities) },
            DEAD_LETTER_TABLE_NAME: { Ref: s.logicalId(s.stack.tables.deadLetters) },
            FLAG_PARAMETER_NAME: '/tournament-profile/integration-enabled',
            FLAG_CACHE_SECONDS: '15',
            EVENT_SOURCE: 'tournaments',
          }),
        }),
      });
      s.hasProperties(statistics, 'AWS::Lambda::Function', {
        Environment: Match.objectEquals({
          Variables: Match.objectLike({ STATS_TABLE_NAME: { Ref: s.logicalId(s.stack.tables.statistics) } }),
        }),
      });
    });

    it('log to their own log groups with a retention', () => {
      for (const fn of [s.stack.recordingFunction, s.stack.statisticsFunction]) {
        s.hasProperties(fn.logGroup, 'AWS::Logs::LogGroup', { RetentionInDays: 30 });
        s.hasProperties(fn.function, 'AWS::Lambda::Function', {
          LoggingConfig: Match.objectEquals({ LogGroup: { Ref: s.logicalId(fn.logGroup) } }),
        });
      }
    });
  });

  describe('least privilege', () => {
    const arnOf = (construct: Parameters<Synthesized['logicalId']>[0], attribute = 'Arn') => ({
      'Fn::GetAtt': [s.logicalId(construct), attribute],
    });
    const flagArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ssm:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':parameter/tournament-profile/integration-enabled',
        ],
      ],
    };

    it('lets the recording function put items on its two tables, query the erasure log and read the one flag, nothing more', () => {
      const statements = statementsOfRole(s, s.logicalId(s.stack.recordingFunction.role));
      const { activities, statistics, deadLetters } = s.stack.tables;
      expect(actionsOn(statements, arnOf(activities))).toEqual(['dynamodb:PutItem']);
      expect(actionsOn(statements, arnOf(deadLetters))).toEqual(['dynamodb:PutItem']);
      expect(actionsOn(statements, arnOf(statistics))).toEqual(['dynamodb:Query']);
      const logRead = statements.find((st) => asList(st.Action).includes('dynamodb:Query'));
      expect((logRead as { Condition?: unknown } | undefined)?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#erasures'] },
      });
      expect(actionsOn(statements, flagArn)).toEqual(['ssm:GetParameter']);
      const ssmStatements = statements.filter((st) => asList(st.Action).some((a) => a.startsWith('ssm:')));
      expect(ssmStatements.map((st) => st.Resource)).toEqual([flagArn]);
    });

    it('lets the statistics function write only its own table and read only the activity stream', () => {
      const statements = statementsOfRole(s, s.logicalId(s.stack.statisticsFunction.role));
      const { activities, statistics, deadLetters } = s.stack.tables;
      expect(actionsOn(statements, arnOf(statistics))).toEqual(
        [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ].sort(),
      );
      expect(actionsOn(statements, arnOf(activities, 'StreamArn'))).toEqual(
        ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].sort(),
      );
      expect(actionsOn(statements, arnOf(activities))).toEqual([]);
      expect(actionsOn(statements, arnOf(deadLetters))).toEqual([]);
      expect(statements.some((st) => asList(st.Action).some((a) => a.startsWith('ssm:')))).toBe(false);
    });

    it('gives the erase path a managed policy with only the queries, scans and deletes it performs', () => {
      const { activities, statistics, deadLetters } = s.stack.tables;
      const policies = Object.values(resourcesOf(s.template, 'AWS::IAM::ManagedPolicy')).filter((p) =>
        String(p.Properties.Description ?? '').includes('tpi erase'),
      );
      expect(policies).toHaveLength(1);
      const statements =
        (policies[0]?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
      expect(actionsOn(statements, arnOf(activities))).toEqual(
        ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:Query'].sort(),
      );
      expect(actionsOn(statements, arnOf(statistics))).toEqual(
        [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ].sort(),
      );
      expect(actionsOn(statements, arnOf(deadLetters))).toEqual(
        ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'].sort(),
      );
      expect(statements.flatMap((st) => asList(st.Resource))).not.toContain('*');
    });

    it('uses the wildcard resource only for actions that have no resource-level permissions', () => {
      const wildcardActions = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((statement) => asList(statement.Resource).includes('*'))
        .flatMap((statement) => asList(statement.Action));
      expect(new Set(wildcardActions)).toEqual(
        new Set([
          // Stream sources: ListStreams has no resource-level permissions.
          'dynamodb:ListStreams',
          // X-Ray tracing (functions and the rollout state machine).
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          // Step Functions log delivery to CloudWatch Logs: these APIs take no resource ARN.
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          // Rollout step: composite alarms are returned only on "*"; GetMetricData takes no ARN.
          'cloudwatch:DescribeAlarms',
          'cloudwatch:GetMetricData',
        ]),
      );
    });

    it('attaches no AWS managed policy to the integration functions', () => {
      const roles = resourcesOf(s.template, 'AWS::IAM::Role');
      for (const fn of [s.stack.recordingFunction, s.stack.statisticsFunction])
        expect(roles[s.logicalId(fn.role)]?.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('encrypts every queue and refuses requests without TLS', () => {
      const queues = resourcesOf(s.template, 'AWS::SQS::Queue');
      // Delivery, recording and statistics failures; the rollback's dead letters and failures; the
      // erasure requests and their dead letters.
      expect(Object.keys(queues)).toHaveLength(7);
      for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      for (const id of Object.keys(queues))
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
    });
  });

  describe('the flag parameter', () => {
    it('is created as `false` only when absent, and never overwritten by a deploy', () => {
      // Neither the flag nor the rollout's saved value is a plain parameter CloudFormation owns.
      s.template.resourceCountIs('AWS::SSM::Parameter', 0);
      const [flag] = Object.values(resourcesOf(s.template, 'Custom::FlagParameter'));
      expect(flag).toBeDefined();
      const properties = (flag as { Properties: Record<string, string> }).Properties;
      for (const phase of ['Create', 'Update']) {
        const call = JSON.parse(properties[phase] as string);
        expect(call).toMatchObject({
          service: 'SSM',
          action: 'PutParameter',
          parameters: {
            Name: '/tournament-profile/integration-enabled',
            Type: 'String',
            Value: 'false',
            Overwrite: false,
          },
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
        });
      }
    });

    it('lets its creator put (and outside production delete) only that parameter', () => {
      const statements = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((statement) => asList(statement.Action).includes('ssm:DeleteParameter'));
      // One creator for the flag, one for the value a rollback saves next to it.
      expect(statements).toHaveLength(2);
      for (const statement of statements)
        expect(asList(statement.Action).sort()).toEqual(['ssm:DeleteParameter', 'ssm:PutParameter']);
      const resources = statements.map((st) => JSON.stringify(st.Resource));
      expect(
        resources.filter((r) => r.includes(':parameter/tournament-profile/integration-enabled"')),
      ).toHaveLength(1);
      expect(
        resources.filter((r) => r.includes(':parameter/tournament-profile/integration-enabled/previous"')),
      ).toHaveLength(1);
    });
  });

  describe('alarms', () => {
    const alarms = () => Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm'));

    it('alarms on any message visible in any dead-letter or failure queue', () => {
      const queueAlarms = alarms().filter(
        (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
      );
      // Delivery, recording and statistics failures, and the rollback's two queues.
      expect(queueAlarms).toHaveLength(5);
      for (const alarm of queueAlarms)
        expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    });

    it('alarms on any idempotency conflict of this stage', () => {
      const [alarm] = alarms().filter((a) => a.Properties.MetricName === METRIC.conflict);
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'TournamentProfileIntegration',
        Dimensions: [{ Name: 'service', Value: 'tournament-profile-integration' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms when the statistics lag the stream by more than the configured age', () => {
      const [alarm] = alarms().filter((a) => a.Properties.MetricName === 'IteratorAge');
      expect(alarm?.Properties).toMatchObject({ Threshold: 300_000, Statistic: 'Maximum' });
    });

    it('alarms on throttles of either function', () => {
      const throttles = alarms().filter((a) => a.Properties.MetricName === 'Throttles');
      expect(throttles.map((a) => (a.Properties.Dimensions as { Value: unknown }[])[0]?.Value)).toEqual(
        expect.arrayContaining([
          { Ref: s.logicalId(s.stack.recordingFunction.function) },
          { Ref: s.logicalId(s.stack.statisticsFunction.function) },
        ]),
      );
      for (const alarm of throttles) expect(alarm.Properties.Threshold).toBe(0);
    });

    it('exposes the stop-condition alarms for a rollout to watch', () => {
      // The four stop conditions, plus the 3 queues, invalid events, unreachable DLQ, conflicts,
      // iterator age and the 2 functions' throttles.
      expect(s.stack.stopConditionAlarms).toHaveLength(s.stack.stopConditions.conditions.length + 9);
      const ids = new Set(Object.keys(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')));
      for (const alarm of s.stack.stopConditionAlarms) expect(ids.has(s.logicalId(alarm))).toBe(true);
    });

    it('notifies nobody unless an address is configured', () => {
      s.template.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('draws the dashboard from the shared metric names', () => {
      const [dashboard] = Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard?.Properties.DashboardBody);
      for (const name of [
        METRIC.recorded,
        METRIC.duplicate,
        METRIC.conflict,
        METRIC.skipped,
        METRIC.invalid,
        METRIC.statsApplied,
        'Duration',
      ])
        expect(body).toContain(`\\"${name}\\"`);
    });
  });

  it('declares every output the operator tools read', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    expect(outputs[STACK_OUTPUTS.eventSource]).toMatchObject({ Value: 'tournaments' });
    expect(outputs[STACK_OUTPUTS.flagParameterName]).toMatchObject({
      Value: '/tournament-profile/integration-enabled',
    });
  });
});

describe('a production stage with publishers and alarm e-mail', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({
      stage: 'prod',
      production: 'true',
      publisherPrincipals: '111122223333,arn:aws:iam::444455556666:role/tournament-publisher',
      alarmEmail: 'oncall@example.com',
      archiveRetentionDays: '90',
      iteratorAgeAlarmSeconds: '120',
      tracing: 'false',
    });
  }, SYNTH_TIMEOUT_MS);

  it('retains the tables with deletion protection', () => {
    const tables = Object.values(resourcesOf(s.template, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    expect(s.stack.terminationProtection).toBe(true);
  });

  it('keeps the operator flag when the stack is deleted', () => {
    const [flag] = Object.values(resourcesOf(s.template, 'Custom::FlagParameter'));
    expect(flag?.Properties.Delete).toBeUndefined();
    expect(JSON.parse(String(flag?.Properties.Create)).parameters.Name).toBe(
      '/tournament-profile/prod/integration-enabled',
    );
  });

  it('lets only the configured publishers put only tournament events on the bus', () => {
    s.template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    s.template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: s.logicalId(s.stack.eventBus) },
      Statement: {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [s.logicalId(s.stack.eventBus), 'Arn'] },
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] },
            'arn:aws:iam::444455556666:role/tournament-publisher',
          ],
        },
        Condition: {
          StringEquals: {
            'events:source': ['tournaments'],
            'events:detail-type': EVENT_TYPES.map((type) => type.detailType),
          },
        },
      },
    });
  });

  it('takes archive retention, alarm threshold and tracing from the context', () => {
    s.template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90 });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 120_000,
    });
    const fn = resourcesOf(s.template, 'AWS::Lambda::Function')[
      s.logicalId(s.stack.recordingFunction.function)
    ];
    expect(fn?.Properties.TracingConfig).toBeUndefined();
  });

  it('sends every alarm to an encrypted, TLS-only topic with the e-mail subscription', () => {
    s.template.resourceCountIs('AWS::SNS::Topic', 1);
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const [topicId] = Object.keys(resourcesOf(s.template, 'AWS::SNS::Topic'));
    for (const alarm of Object.values(resourcesOf(s.template, 'AWS::CloudWatch::Alarm')))
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});
