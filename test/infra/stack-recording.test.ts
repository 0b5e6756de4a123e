import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RECORDING_ASYNC_RETRY_ATTEMPTS } from '../../infra/constructs/recording-pipeline.ts';
import {
  STREAM_BATCH_SIZE,
  STREAM_MAX_BATCHING_WINDOW,
  STREAM_MAX_RECORD_AGE,
  STREAM_RETRY_ATTEMPTS,
} from '../../infra/constructs/statistics-projector.ts';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { type EventPattern, type RoutingRule, routingRules, rulesMatching } from '../../infra/routing.ts';
import { PARAMETERS_EXTENSION } from '../../lambda/recording/constants.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import {
  ACTIVITY_TABLE,
  DEAD_LETTER_TABLE,
  STATS_TABLE,
  type TableDefinition,
} from '../../lambda/shared/tables.ts';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

describe('the default stage', () => {
  const s = synthesizeForSuite();

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

    it('reads the flag through the Parameters and Secrets extension layer, its cache off so FLAG_CACHE_SECONDS alone bounds a change', () => {
      const recording = s.logicalId(s.stack.recordingFunction.function);
      const fn = resourcesOf(s.template, 'AWS::Lambda::Function')[recording];
      if (!fn) throw new Error('no recording function in the template');
      // One layer, the ARM64 build (an ARN in a stack with a region, a lookup by region without one).
      const layers = fn.Properties.Layers as unknown[];
      expect(layers).toHaveLength(1);
      expect(JSON.stringify(layers)).toMatch(
        /Extension-Arm64:\d+"|"ParamsandsecretslayerMap".*"1x0x103xarm64"/,
      );
      const { Variables } = fn.Properties.Environment as { Variables: Record<string, unknown> };
      expect(Variables).toMatchObject({
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(PARAMETERS_EXTENSION.defaultPort),
        FLAG_CACHE_SECONDS: '15',
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
      'builds $id from its shared declaration: on-demand, PITR, encrypted, retained unless the stage is ephemeral',
      (definition) => {
        const indexes = definition.localIndexes ?? [];
        // The default stage is not declared ephemeral: a `cdk destroy` keeps its data.
        const tables = s.template.findResources('AWS::DynamoDB::Table', {
          DeletionPolicy: 'Retain',
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
      // This one, the audit of touched users' on the same stream, and the erasure worker's on its queue.
      s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
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
          Variables: Match.objectLike({ STATS_TABLE_NAME: { Ref: s.logicalId(s.stack.tables.stats) } }),
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

  it('declares every output the operator tools read', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    expect(outputs[STACK_OUTPUTS.eventSource]).toMatchObject({ Value: 'tournaments' });
    expect(outputs[STACK_OUTPUTS.flagParameterName]).toMatchObject({
      Value: '/tournament-profile/integration-enabled',
    });
  });
});
