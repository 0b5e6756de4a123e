import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesized, synthesizeForSuite } from './synth.ts';

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
  const s = synthesizeForSuite();

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
      const { activities, stats: statistics, deadLetters } = s.stack.tables;
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
      const { activities, stats: statistics, deadLetters } = s.stack.tables;
      // Query twice: the erasure log's partition (shared grant), and the projector's sequence reads.
      expect([...new Set(actionsOn(statements, arnOf(statistics)))]).toEqual(
        ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'].sort(),
      );
      expect(actionsOn(statements, arnOf(activities, 'StreamArn'))).toEqual(
        ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].sort(),
      );
      expect(actionsOn(statements, arnOf(activities))).toEqual([]);
      expect(actionsOn(statements, arnOf(deadLetters))).toEqual([]);
      expect(statements.some((st) => asList(st.Action).some((a) => a.startsWith('ssm:')))).toBe(false);
    });

    it('lets the scheduled audit scan the activity table and query one user of either table, nothing more', () => {
      const statements = statementsOfRole(s, s.logicalId(s.stack.audit.function.role));
      const { activities, stats: statistics, deadLetters } = s.stack.tables;
      expect(actionsOn(statements, arnOf(activities))).toEqual(['dynamodb:Query', 'dynamodb:Scan']);
      // lambda/audit/adapters/audit-sweep.ts never scans the statistics table.
      expect(actionsOn(statements, arnOf(statistics))).toEqual(['dynamodb:Query']);
      expect(actionsOn(statements, arnOf(deadLetters))).toEqual([]);
    });

    it('gives the erase path a managed policy with only the queries, scans and deletes it performs', () => {
      const { activities, stats: statistics, deadLetters } = s.stack.tables;
      const policies = Object.values(resourcesOf(s.template, 'AWS::IAM::ManagedPolicy')).filter((p) =>
        String(p.Properties.Description ?? '').includes('tpi erase'),
      );
      expect(policies).toHaveLength(1);
      const statements =
        (policies[0]?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
      expect(actionsOn(statements, arnOf(activities))).toEqual(
        ['dynamodb:BatchWriteItem', 'dynamodb:Query'].sort(),
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
        ['dynamodb:BatchWriteItem', 'dynamodb:Scan'].sort(),
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
          // Rollout step and rollback: composite alarms are returned only on "*"; GetMetricData takes no ARN.
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
      // One creator for the flag, one for the value a rollback saves, one for the rollout state.
      expect(statements).toHaveLength(3);
      for (const statement of statements)
        expect(asList(statement.Action).sort()).toEqual(['ssm:DeleteParameter', 'ssm:PutParameter']);
      const resources = statements.map((st) => JSON.stringify(st.Resource));
      expect(
        resources.filter((r) => r.includes(':parameter/tournament-profile/integration-enabled"')),
      ).toHaveLength(1);
      expect(
        resources.filter((r) => r.includes(':parameter/tournament-profile/integration-enabled/previous"')),
      ).toHaveLength(1);
      expect(
        resources.filter((r) =>
          r.includes(':parameter/tournament-profile/integration-enabled/rollout-state"'),
        ),
      ).toHaveLength(1);
    });
  });
});
