import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

describe('a production stage with publishers and alarm e-mail', () => {
  const s = synthesizeForSuite({
    stage: 'prod',
    production: 'true',
    publisherPrincipals: '111122223333,arn:aws:iam::444455556666:role/tournament-publisher',
    alarmEmail: 'oncall@example.com',
    platformAlarms: 'none',
    platformAlarmsReason: 'payments run on a third-party platform that publishes no CloudWatch alarm',
    archiveRetentionDays: '90',
    iteratorAgeAlarmSeconds: '120',
    tracing: 'false',
  });

  it('retains the tables with deletion protection', () => {
    const tables = Object.values(resourcesOf(s.template, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    expect(s.stack.terminationProtection).toBe(true);
  });

  it('writes the reason for having no platform alarm into the tournament-operations composite', () => {
    s.hasProperties(
      s.stack.stopConditions.byKind['tournament-operations'],
      'AWS::CloudWatch::CompositeAlarm',
      {
        AlarmName: 'TournamentProfileIntegration-prod-StopConditions-TournamentOperations',
        AlarmDescription: Match.stringLikeRegexp(
          'platformAlarms=none\\): payments run on a third-party platform that publishes no CloudWatch alarm$',
        ),
      },
    );
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
